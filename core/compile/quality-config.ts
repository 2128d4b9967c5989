import type { RoutePolicySpec } from '../api/route-policy.ts';
import type { RouteConfig } from '../config/router-config.ts';
import type { TargetResolution } from './resolve-targets.ts';
import { effectiveDemotion } from '../api/quality-defaults.ts';

/**
 * The quality loop as the proxies see it, every default filled in: each tier's own sampling share
 * and the derived demotion lines and window (core/api/quality-defaults.ts). Left out when the judge did not resolve (ResolvedRefs says why): no
 * judge, no sampling, so nothing is demoted on scores that cannot be produced.
 */
export function qualityConfigOf(
  spec: RoutePolicySpec,
  resolution: TargetResolution,
): Pick<RouteConfig, 'quality'> {
  const quality = spec.quality;
  if (quality === undefined || resolution.judge === undefined) return {};
  const overrides = quality.tierSamplePercent ?? {};
  const tierSamplePercent = Object.fromEntries(
    spec.tiers.map((tier) => [tier.name, overrides[tier.name] ?? quality.samplePercent]),
  );
  const { demotion } = quality;
  return {
    quality: {
      judge: resolution.judge,
      samplePercent: quality.samplePercent,
      tierSamplePercent,
      ...(quality.rubric === undefined ? {} : { rubric: quality.rubric }),
      timeoutMs: quality.timeoutMs,
      floor: quality.floor,
      ...(demotion === undefined
        ? {}
        : {
            demotion: {
              ...effectiveDemotion(demotion),
              probationPercent: demotion.probationPercent,
            },
          }),
      maxConcurrency: quality.maxConcurrency,
      queueSize: quality.queueSize,
      export: { ...quality.export },
    },
  };
}
