// Switchyard's Prometheus rules: recording rules for budget burn rates, and the alerts, each with
// a summary, a description with the numbers and a runbook (docs/operations.md#<alert name, lower
// case>). Rendered to a plain rules file (deploy/prometheus/) and into the chart's PrometheusRule.
// Every alert has promtool unit tests in test/monitoring/alert-rules.promtool.yaml.

/** One recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** One alerting rule, as Prometheus reads it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

/** Where the runbooks are published; the chart can point elsewhere (runbookBaseURL). */
export const RUNBOOK_BASE_URL =
  'https://github.com/switchyard-dev/switchyard/blob/main/docs/operations.md';

function runbook(alert: string): string {
  return `${RUNBOOK_BASE_URL}#${alert.toLowerCase()}`;
}

// Burn rate 1 spends exactly the monthly cap by the end of the month; the windows and factors are
// the multi-window pairs of the Google SRE workbook, read as "share of the month's budget".
const BURN_WINDOWS = ['5m', '30m', '1h', '6h'] as const;

const recording: RecordingRule[] = [
  {
    record: 'switchyard:budget_limit_usd',
    expr: 'max by (namespace, route) (switchyard_budget_limit_usd)',
  },
  ...BURN_WINDOWS.map((window) => ({
    record: `switchyard:budget_burn_rate:${window}`,
    expr:
      `sum by (namespace, route) (rate(switchyard_cost_usd_total[${window}]))` +
      ' / on (namespace, route) (switchyard:budget_limit_usd / scalar(days_in_month() * 86400))',
  })),
];

/** Month-to-date spend and cap of the alert's route, for descriptions. */
const SPENT_OF_CAP =
  '{{ with printf "max(switchyard_budget_spent_usd{namespace=\'%s\',route=\'%s\'})" $labels.namespace $labels.route | query }}{{ . | first | value | printf "%.2f" }}{{ end }}' +
  ' USD of its {{ with printf "max(switchyard:budget_limit_usd{namespace=\'%s\',route=\'%s\'})" $labels.namespace $labels.route | query }}{{ . | first | value | printf "%.2f" }}{{ end }} USD cap';

const WHERE = 'route {{ $labels.route }} (namespace {{ $labels.namespace }})';

function alert(
  name: string,
  severity: 'critical' | 'warning',
  expr: string,
  forDuration: string,
  text: { summary: string; description: string },
): AlertRule {
  return {
    alert: name,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { ...text, runbook_url: runbook(name) },
  };
}

const budgetAlerts: AlertRule[] = [
  alert(
    'SwitchyardBudgetFastBurn',
    'critical',
    'switchyard:budget_burn_rate:1h > 14.4 and switchyard:budget_burn_rate:5m > 14.4',
    '2m',
    {
      summary: `Budget of ${WHERE} is burning fast`,
      description:
        `Over the last hour ${WHERE} spent {{ $value | printf "%.1f" }}× the rate its monthly cap allows ` +
        '(14.4× empties a month’s budget in about two days). Month to date: ' +
        `${SPENT_OF_CAP}.`,
    },
  ),
  alert(
    'SwitchyardBudgetSlowBurn',
    'warning',
    'switchyard:budget_burn_rate:6h > 6 and switchyard:budget_burn_rate:30m > 6',
    '15m',
    {
      summary: `Budget of ${WHERE} will run out early`,
      description:
        `Over the last 6 hours ${WHERE} spent {{ $value | printf "%.1f" }}× the rate its monthly cap allows ` +
        `(6× empties a month’s budget in about five days). Month to date: ${SPENT_OF_CAP}.`,
    },
  ),
  alert(
    'SwitchyardBudgetNearlySpent',
    'warning',
    'max by (namespace, route) (switchyard_budget_spent_usd) / on (namespace, route) switchyard:budget_limit_usd > 0.9',
    '5m',
    {
      summary: `Budget of ${WHERE} is over 90 % spent`,
      description:
        `Month to date ${WHERE} has spent {{ $value | humanizePercentage }} of its monthly cap (${SPENT_OF_CAP}); ` +
        'past the cap it rejects requests or keeps to its cheapest tier, as its onExhausted says.',
    },
  ),
  alert(
    'SwitchyardBudgetStoreUnreachable',
    'warning',
    'sum by (namespace, route) (increase(switchyard_budget_errors_total[5m])) > 0',
    '5m',
    {
      summary: `Budget checks of ${WHERE} fail open`,
      description:
        `{{ $value | printf "%.0f" }} budget checks of ${WHERE} could not reach Redis in the last 5 minutes; ` +
        'those requests were served without being counted against the budget.',
    },
  ),
];

const trafficAlerts: AlertRule[] = [
  alert(
    'SwitchyardRouteErrorRatio',
    'critical',
    'sum by (namespace, route) (rate(switchyard_requests_total{code=~"5.."}[5m]))' +
      ' / sum by (namespace, route) (rate(switchyard_requests_total[5m])) > 0.05' +
      ' and sum by (namespace, route) (increase(switchyard_requests_total{code=~"5.."}[5m])) >= 5',
    '5m',
    {
      summary: `${WHERE} answers more than 5 % server errors`,
      description:
        `{{ $value | humanizePercentage }} of the requests to ${WHERE} were answered 5xx over the last 5 minutes ` +
        '(at least 5 of them): every target the policy allows failed, or the proxy itself did.',
    },
  ),
  alert(
    'SwitchyardProviderCircuitOpen',
    'warning',
    'count by (namespace, provider, model) (switchyard_circuit_state >= 1)',
    '5m',
    {
      summary: 'Circuit of {{ $labels.provider }}/{{ $labels.model }} open for 5 minutes',
      description:
        'The circuit breaker of target {{ $labels.provider }}/{{ $labels.model }} (namespace {{ $labels.namespace }}) ' +
        'has not been closed for 5 minutes on {{ $value | printf "%.0f" }} proxy pod(s): its requests go to other targets, ' +
        'and health probes have not seen it recover.',
    },
  ),
  alert(
    'SwitchyardClassifierFailing',
    'warning',
    // Skipped calls (circuit open, outside the pool, …) were never made: they count neither way.
    'sum by (namespace, route) (rate(switchyard_classifier_calls_total{outcome=~"timeout|error|unusable"}[10m]))' +
      ' / sum by (namespace, route) (rate(switchyard_classifier_calls_total{outcome!~"skipped.*"}[10m])) > 0.2',
    '10m',
    {
      summary: `The classifier of ${WHERE} is failing`,
      description:
        `{{ $value | humanizePercentage }} of the classifier calls of ${WHERE} timed out, failed or gave an unusable ` +
        'answer over the last 10 minutes; those requests waited for it and then took the default tier.',
    },
  ),
  alert(
    'SwitchyardQualityDemotion',
    'warning',
    'max by (namespace, provider, model) (switchyard_target_demoted) == 1',
    '0m',
    {
      summary: '{{ $labels.provider }}/{{ $labels.model }} was demoted for low judged quality',
      description:
        'Judged samples of {{ $labels.provider }}/{{ $labels.model }} (namespace {{ $labels.namespace }}) fell below ' +
        'the policy’s demotion threshold; routing skips it until its probation samples score above the restore threshold.',
    },
  ),
];

const fleetAlerts: AlertRule[] = [
  alert(
    'SwitchyardProxyWithoutConfig',
    'warning',
    'switchyard_requests_in_flight unless on (namespace, instance) (switchyard_config_info == 1)',
    '5m',
    {
      summary: 'Proxy {{ $labels.instance }} has no config',
      description:
        'Proxy {{ $labels.instance }} (namespace {{ $labels.namespace }}) has run for 5 minutes without loading a config, ' +
        'so it is not ready and serves nothing: it cannot read or decode the published config.',
    },
  ),
  alert(
    'SwitchyardNoReadyProxy',
    'critical',
    '(count by (namespace) (switchyard_requests_in_flight) unless on (namespace) count by (namespace) (switchyard_config_info == 1))' +
      ' or absent(switchyard_requests_in_flight)',
    '5m',
    {
      summary: 'No Switchyard proxy is ready',
      description:
        'No proxy in namespace {{ $labels.namespace }} has served a config for 5 minutes: every request through ' +
        'Switchyard there fails. Either its proxies run without a config or no proxy is scraped at all.',
    },
  ),
  alert(
    'SwitchyardConfigHashMismatch',
    'warning',
    'count by (namespace) (count by (namespace, hash) (switchyard_config_info == 1)) > 1',
    '10m',
    {
      summary: 'Switchyard proxies serve different configs',
      description:
        'For 10 minutes the proxies in namespace {{ $labels.namespace }} have served {{ $value | printf "%.0f" }} different ' +
        'config hashes: some proxies are not following the published config.',
    },
  ),
  alert(
    'SwitchyardConfigRefused',
    'warning',
    'sum by (namespace, instance) (increase(switchyard_config_load_errors_total[10m])) > 0',
    '0m',
    {
      summary: 'Proxy {{ $labels.instance }} refused a config',
      description:
        'Proxy {{ $labels.instance }} (namespace {{ $labels.namespace }}) refused {{ $value | printf "%.0f" }} config(s) ' +
        'in the last 10 minutes (invalid or an unsupported schemaVersion) and keeps serving its last good one.',
    },
  ),
  alert(
    'SwitchyardOperatorNotLeading',
    'critical',
    'sum by (namespace) (switchyard_operator_leader) < 1 or absent(switchyard_operator_leader)',
    '5m',
    {
      summary: 'No Switchyard operator is leading',
      description:
        'No operator replica in namespace {{ $labels.namespace }} has held the leader Lease for 5 minutes: changes to ' +
        'ModelProviders and RoutePolicies are not compiled or published (the proxies keep serving the last config).',
    },
  ),
  alert(
    'SwitchyardOperatorReconcileErrors',
    'warning',
    'sum by (namespace) (increase(switchyard_operator_reconcile_errors_total[10m])) > 0',
    '15m',
    {
      summary: 'The Switchyard operator keeps failing to reconcile',
      description:
        '{{ $value | printf "%.0f" }} reconciles failed in the last 10 minutes in namespace {{ $labels.namespace }}, ' +
        'for 15 minutes running: the published config may be stale.',
    },
  ),
];

/** Every alert, in the order of docs/operations.md. */
export const ALERTS: readonly AlertRule[] = [...budgetAlerts, ...trafficAlerts, ...fleetAlerts];

/** The rule groups, as a Prometheus rules file (and a PrometheusRule's spec) holds them. */
export function ruleGroups(): { groups: { name: string; rules: unknown[] }[] } {
  return {
    groups: [
      { name: 'switchyard.recording', rules: recording },
      { name: 'switchyard.alerts', rules: [...ALERTS] },
    ],
  };
}
