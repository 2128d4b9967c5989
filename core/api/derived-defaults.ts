// Defaults that depend on a value the user may set. A static default (a CRD `default:`) cannot:
// with `attemptTimeoutMs: 3000` written, a static `ttftTimeoutMs: 10000` would break "ttftTimeoutMs
// must not exceed attemptTimeoutMs", and the user would be told off for a value they never wrote.
// So fields in an ordered pair carry no static default. They stay unset in the stored object (zod
// and the API server alike), the cross-field rules compare only the values a user wrote (see
// `ordered()` in schema-kit.ts), and compile() fills the gaps with the functions below, which
// always land inside the order (ADR 0006).

/** The failover timeouts when nothing constrains them, in milliseconds. */
export const TIMEOUT_DEFAULTS = {
  attemptTimeoutMs: 30000,
  ttftTimeoutMs: 10000,
  totalTimeoutMs: 120000,
} as const;

/** The retry backoff when nothing constrains it, in milliseconds. */
export const BACKOFF_DEFAULTS = { initialBackoffMs: 200, maxBackoffMs: 2000 } as const;

/** The circuit breaker's cooldown when nothing constrains it, in seconds. */
export const COOLDOWN_DEFAULTS = { cooldownSeconds: 30, maxCooldownSeconds: 300 } as const;

/** The failover timeouts as written: any may be unset; hedgeAfterMs has its static default. */
export interface WrittenTimeouts {
  attemptTimeoutMs?: number | undefined;
  ttftTimeoutMs?: number | undefined;
  totalTimeoutMs?: number | undefined;
  hedgeAfterMs: number;
}

/** The failover timeouts in effect. */
export interface Timeouts {
  attemptTimeoutMs: number;
  ttftTimeoutMs: number;
  totalTimeoutMs: number;
}

/**
 * Fills in unset timeouts so that ttft ≤ attempt ≤ total and hedge < attempt hold whenever the
 * written values respect them pairwise (which the schema checks): the attempt timeout defaults to
 * 30000, raised to ttftTimeoutMs or just above hedgeAfterMs and lowered to totalTimeoutMs when
 * those are written; the TTFT timeout to 10000 or the attempt timeout if lower; the total timeout
 * to 120000 or the attempt timeout if higher.
 */
export function effectiveTimeouts(written: WrittenTimeouts): Timeouts {
  const floor = Math.max(written.ttftTimeoutMs ?? 0, written.hedgeAfterMs + 1);
  const ceiling = written.totalTimeoutMs ?? Number.POSITIVE_INFINITY;
  const attemptTimeoutMs =
    written.attemptTimeoutMs ??
    Math.min(Math.max(TIMEOUT_DEFAULTS.attemptTimeoutMs, floor), ceiling);
  return {
    attemptTimeoutMs,
    ttftTimeoutMs:
      written.ttftTimeoutMs ?? Math.min(TIMEOUT_DEFAULTS.ttftTimeoutMs, attemptTimeoutMs),
    totalTimeoutMs:
      written.totalTimeoutMs ?? Math.max(TIMEOUT_DEFAULTS.totalTimeoutMs, attemptTimeoutMs),
  };
}

/** Retry backoff in effect: initialBackoffMs ≤ maxBackoffMs, each defaulting around the other. */
export function effectiveBackoff(written: {
  initialBackoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
}): { initialBackoffMs: number; maxBackoffMs: number } {
  const [initialBackoffMs, maxBackoffMs] = orderedPair(
    written.initialBackoffMs,
    written.maxBackoffMs,
    BACKOFF_DEFAULTS.initialBackoffMs,
    BACKOFF_DEFAULTS.maxBackoffMs,
  );
  return { initialBackoffMs, maxBackoffMs };
}

/** Circuit cooldown in effect: cooldownSeconds ≤ maxCooldownSeconds, each defaulting around the other. */
export function effectiveCooldown(written: {
  cooldownSeconds?: number | undefined;
  maxCooldownSeconds?: number | undefined;
}): { cooldownSeconds: number; maxCooldownSeconds: number } {
  const [cooldownSeconds, maxCooldownSeconds] = orderedPair(
    written.cooldownSeconds,
    written.maxCooldownSeconds,
    COOLDOWN_DEFAULTS.cooldownSeconds,
    COOLDOWN_DEFAULTS.maxCooldownSeconds,
  );
  return { cooldownSeconds, maxCooldownSeconds };
}

/** low ≤ high: an unset high defaults to at least the written low, an unset low to at most high. */
function orderedPair(
  low: number | undefined,
  high: number | undefined,
  defaultLow: number,
  defaultHigh: number,
): [number, number] {
  const effectiveHigh = high ?? Math.max(defaultHigh, low ?? defaultLow);
  return [low ?? Math.min(defaultLow, effectiveHigh), effectiveHigh];
}
