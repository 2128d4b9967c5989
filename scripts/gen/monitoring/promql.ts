// PromQL building blocks shared by the dashboards and the alert rules, so both read the metrics
// the same way (the same label filters, the same error and success definitions).

/** Dashboard template variables a selector can filter on, when the metric has that label. */
export type Filter = 'route' | 'provider';

/**
 * A series selector filtered by the dashboard's `$namespace` and the given template variables:
 * `sel('switchyard_cost_usd_total', ['route'], 'tier="premium"')`.
 */
export function sel(metric: string, filters: readonly Filter[] = [], matchers = ''): string {
  const parts = ['namespace=~"$namespace"', ...filters.map((f) => `${f}=~"$${f}"`)];
  if (matchers !== '') parts.push(matchers);
  return `${metric}{${parts.join(',')}}`;
}

/** `sum by (labels) (rate(selector[$__rate_interval]))`, or `sum(...)` without labels. */
export function rateBy(labels: string, selector: string, window = '$__rate_interval'): string {
  return `${sumBy(labels)}(rate(${selector}[${window}]))`;
}

/** `sum by (labels) (increase(selector[$__range]))`: totals over the dashboard's time range. */
export function increaseBy(labels: string, selector: string): string {
  return `${sumBy(labels)}(increase(${selector}[$__range]))`;
}

/** A quantile of a histogram, aggregated over pods: `histogram_quantile(q, sum by (le, …))`. */
export function quantile(
  q: number,
  histogram: string,
  filters: readonly Filter[],
  by = '',
): string {
  const labels = by === '' ? 'le' : `le, ${by}`;
  return `histogram_quantile(${q}, sum by (${labels}) (rate(${sel(`${histogram}_bucket`, filters)}[$__rate_interval])))`;
}

function sumBy(labels: string): string {
  return labels === '' ? 'sum ' : `sum by (${labels}) `;
}

/** Status codes the proxy itself answered as failed (its 5xx: provider and gateway faults). */
export const SERVER_ERROR = 'code=~"5.."';

/** Answers that reached the client as a success. */
export const SUCCESS = 'code=~"2.."';

/**
 * Seconds left in the current UTC month at evaluation time, as a scalar: for projecting a
 * month-to-date budget to its end (budgets reset on the first of the month, UTC).
 */
export const SECONDS_LEFT_IN_MONTH =
  'scalar((days_in_month() - day_of_month()) * 86400 + (23 - hour()) * 3600 + (59 - minute()) * 60)';
