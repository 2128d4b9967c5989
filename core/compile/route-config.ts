import { effectiveBackoff, effectiveTimeouts } from '../api/derived-defaults.ts';
import type { RoutePolicySpec, RuleSpec } from '../api/route-policy.ts';
import type { RouteConfig, RuleConfig } from '../config/router-config.ts';
import type { ObjectId } from './object-id.ts';
import { scorerConfigOf } from './scorer-config.ts';
import { sortedText } from './provider-config.ts';
import type { TargetResolution } from './resolve-targets.ts';
import { qualityConfigOf } from './quality-config.ts';

/**
 * A route as the proxies see it. Tiers, targets and rules keep their order (it means something:
 * escalation order, `ordered` strategy, first match wins); sets are sorted; header names are
 * lower-cased because Node hands the proxy lower-cased request headers.
 */
export function routeConfigOf(
  id: ObjectId,
  spec: RoutePolicySpec,
  resolution: TargetResolution,
  experiment?: RouteConfig['experiment'],
): RouteConfig {
  const [firstTier] = resolution.tiers;
  const { classification, failover } = spec;
  return {
    alias: spec.model,
    namespace: id.namespace,
    policy: id.name,
    tiers: resolution.tiers,
    classification: {
      // The zod schema requires at least one tier, so firstTier exists for a parsed spec.
      default: classification.default ?? firstTier?.name ?? '',
      rules: classification.rules.map(ruleConfigOf),
      ...(resolution.classifier === undefined ? {} : { classifier: resolution.classifier }),
      ...(resolution.embeddings === undefined ? {} : { embeddings: resolution.embeddings }),
      ...(classification.scorer === undefined
        ? {}
        : { scorer: scorerConfigOf(classification.scorer, spec.tiers) }),
      allowClientTier: classification.allowClientTier,
    },
    failover: {
      ...failover,
      // Timeouts and backoff left unset default around the ones written (derived-defaults.ts).
      ...effectiveTimeouts(failover),
      retries: {
        ...failover.retries,
        ...effectiveBackoff(failover.retries),
        onStatus: [...failover.retries.onStatus].sort((a, b) => a - b),
      },
    },
    ...(spec.latency === undefined ? {} : { latency: { ...spec.latency } }),
    ...(spec.governance === undefined ? {} : { governance: governanceOf(spec.governance) }),
    ...(spec.budget === undefined ? {} : { budget: { ...spec.budget } }),
    ...(spec.cache === undefined ? {} : { cache: { ...spec.cache } }),
    ...qualityConfigOf(spec, resolution),
    ...(experiment === undefined ? {} : { experiment }),
  };
}

function ruleConfigOf(rule: RuleSpec): RuleConfig {
  const { headers, ...match } = rule.match;
  return {
    name: rule.name,
    tier: rule.tier,
    match: headers === undefined ? match : { ...match, headers: lowerCaseKeys(headers) },
    preferTags: sortedText(rule.preferTags ?? []),
  };
}

function governanceOf(
  governance: NonNullable<RoutePolicySpec['governance']>,
): NonNullable<RouteConfig['governance']> {
  const { regions, ...pool } = governance.pool;
  return {
    sensitive: {
      header: governance.sensitive.header.toLowerCase(),
      patterns: [...governance.sensitive.patterns],
    },
    pool: regions === undefined ? pool : { ...pool, regions: sortedText(regions) },
  };
}

function lowerCaseKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]),
  );
}
