// Panels and alerts about features that are still being built read metrics no proxy exports yet.
// They ship anyway — an operator who upgrades should not have to re-import a board — and show
// "No data" until the feature lands. This table names, per feature, the metrics it will add, so
// the dashboard test can tell a panel that is waiting for its feature from a broken query.

/** A feature whose metrics some panels read. */
export type Feature =
  | 'classifier-calls'
  | 'rule-hits'
  | 'hedges'
  | 'attempt-skips'
  | 'semantic-cache'
  | 'judge'
  | 'demotion'
  | 'experiments'
  | 'chargeback';

/** The metric names (without `_bucket`/`_count`/`_sum`) each feature adds. */
export const FEATURE_METRICS: Readonly<Record<Feature, readonly string[]>> = {
  // Issue 11: `switchyard_classifier_calls_total{route,outcome}` and a duration histogram.
  'classifier-calls': [
    'switchyard_classifier_calls_total',
    'switchyard_classifier_duration_seconds',
  ],
  // Requests per classification rule: `{route, rule}`.
  'rule-hits': ['switchyard_rule_hits_total'],
  // Hedged races: `{route, result}` with result won or lost.
  hedges: ['switchyard_hedges_total'],
  // Targets skipped before an attempt: `{provider, model, reason}` with reason circuit_open or
  // rate_limited.
  'attempt-skips': ['switchyard_attempts_skipped_total'],
  // Issue 13: `{route, result}` (hit, miss, refused) and a similarity histogram.
  'semantic-cache': [
    'switchyard_semantic_cache_lookups_total',
    'switchyard_semantic_cache_similarity',
  ],
  // Issue 12: the judge's scores (histogram by route, tier, provider, model) and its own spend.
  judge: ['switchyard_quality_score', 'switchyard_judge_cost_usd_total'],
  // Issue 12: 1 while a target is demoted, `{provider, model}`.
  demotion: ['switchyard_target_demoted'],
  // Issue 12: requests per experiment arm, `{route, experiment, arm, code}`.
  experiments: ['switchyard_experiment_requests_total'],
  // Issue 14: spend and tokens per tenant and per x-switchyard-feature, top N plus "other".
  chargeback: [
    'switchyard_tenant_cost_usd_total',
    'switchyard_tenant_tokens_total',
    'switchyard_feature_cost_usd_total',
    'switchyard_feature_tokens_total',
  ],
};

/** The feature a metric belongs to, if it is one of the features' metrics. */
export function featureOf(metric: string): Feature | undefined {
  const base = metric.replace(/_(bucket|count|sum)$/, '');
  for (const [feature, metrics] of Object.entries(FEATURE_METRICS)) {
    if (metrics.includes(base)) return feature as Feature;
  }
  return undefined;
}

/** Every `switchyard_*` metric name a PromQL expression reads. */
export function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(/\bswitchyard_[a-z0-9_]+/g) ?? [])];
}
