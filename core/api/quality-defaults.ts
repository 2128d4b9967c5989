// Derived defaults of the quality loop's ordered pairs (below < restoreAbove, minSamples ≤
// window), in the manner of derived-defaults.ts (ADR 0006): neither field of a pair has a static
// default, the rule compares only what the user wrote, and compile() fills the gaps so that the
// order always holds.

/** The demotion settings when nothing constrains them. */
export const DEMOTION_DEFAULTS = {
  below: 5,
  restoreAbove: 6.5,
  minSamples: 20,
  window: 50,
} as const;

/** The gap between the two lines when one of them is written: room for hysteresis. */
const HYSTERESIS = 1.5;

/** The demotion settings as written. */
export interface WrittenDemotion {
  below?: number | undefined;
  restoreAbove?: number | undefined;
  minSamples?: number | undefined;
  window?: number | undefined;
}

/** The demotion settings in effect. */
export interface EffectiveDemotion {
  below: number;
  restoreAbove: number;
  minSamples: number;
  window: number;
}

/**
 * Fills in unset demotion settings so that below < restoreAbove and minSamples ≤ window hold
 * whenever the written values respect them (which the schema checks): restoreAbove defaults to
 * 6.5, or to below + 1.5 (at most 10) when below is written higher; below to 5, or to
 * restoreAbove − 1.5 (at least 1) when restoreAbove is written lower; window to 50 or minSamples
 * if higher; minSamples to 20 or window if lower.
 */
export function effectiveDemotion(written: WrittenDemotion): EffectiveDemotion {
  const restoreAbove =
    written.restoreAbove ??
    Math.max(
      DEMOTION_DEFAULTS.restoreAbove,
      Math.min(10, (written.below ?? DEMOTION_DEFAULTS.below) + HYSTERESIS),
    );
  const below =
    written.below ?? Math.max(1, Math.min(DEMOTION_DEFAULTS.below, restoreAbove - HYSTERESIS));
  const window =
    written.window ??
    Math.max(DEMOTION_DEFAULTS.window, written.minSamples ?? DEMOTION_DEFAULTS.minSamples);
  const minSamples = written.minSamples ?? Math.min(DEMOTION_DEFAULTS.minSamples, window);
  return { below, restoreAbove, minSamples, window };
}
