// The Reliability board: traffic and errors by whose fault they were, latency, TTFT and proxy
// overhead, what the upstreams did (attempts, retries, failovers, hedges, circuits, probes), and
// the fleet and control plane behind it (config hashes, ready proxies, the operator).
import type { DashboardSpec, PanelSpec } from './grafana.ts';
import { increaseBy, quantile, rateBy, sel, SERVER_ERROR } from './promql.ts';

const REQUESTS = sel('switchyard_requests_total', ['route', 'provider']);

const traffic: PanelSpec[] = [
  {
    title: 'Requests by status',
    description: 'Requests per second by HTTP status the client got (499: the client left).',
    kind: 'timeseries',
    unit: 'reqps',
    stack: true,
    queries: [{ expr: rateBy('code', REQUESTS), legend: '{{code}}' }],
  },
  {
    title: 'Errors by origin',
    description:
      'Failed requests per second by whose fault: caller (bad request, auth), policy (budget, governance), provider (every target failed), gateway (the proxy itself).',
    kind: 'timeseries',
    unit: 'reqps',
    stack: true,
    queries: [
      {
        expr: rateBy('origin', sel('switchyard_request_errors_total', ['route'])),
        legend: '{{origin}}',
      },
    ],
  },
  {
    title: 'Server error ratio by route',
    description: 'Share of requests answered 5xx, per route.',
    kind: 'timeseries',
    unit: 'percentunit',
    queries: [
      {
        expr: `${rateBy('route', sel('switchyard_requests_total', ['route', 'provider'], SERVER_ERROR))} / ${rateBy('route', REQUESTS)}`,
        legend: '{{route}}',
      },
    ],
  },
  {
    title: 'Requests in flight',
    description:
      'Chat and embeddings requests being answered now, per pod (what the HPA can scale on).',
    kind: 'timeseries',
    unit: 'short',
    width: 12,
    queries: [
      {
        expr: `sum by (instance) (${sel('switchyard_requests_in_flight')})`,
        legend: '{{instance}}',
      },
    ],
  },
  {
    title: 'Error codes by origin',
    description: 'Failed requests over the time range by origin and status.',
    kind: 'table',
    unit: 'short',
    width: 12,
    queries: [
      {
        expr: increaseBy('route, origin, code', sel('switchyard_request_errors_total', ['route'])),
        instant: true,
      },
    ],
  },
];

const DURATION = 'switchyard_request_duration_seconds';
const TTFT = 'switchyard_time_to_first_token_seconds';

const latency: PanelSpec[] = [
  {
    title: 'Latency',
    description: 'Request received to response end, across the fleet.',
    kind: 'timeseries',
    unit: 's',
    queries: [0.5, 0.95, 0.99].map((q) => ({
      expr: quantile(q, DURATION, ['route', 'provider']),
      legend: `p${q * 100}`,
    })),
  },
  {
    title: 'Time to first token',
    description: 'Streams: request received to the first content byte sent to the client.',
    kind: 'timeseries',
    unit: 's',
    queries: [0.5, 0.95, 0.99].map((q) => ({
      expr: quantile(q, TTFT, ['route', 'provider']),
      legend: `p${q * 100}`,
    })),
  },
  {
    title: 'Proxy overhead',
    description: 'Time spent in Switchyard itself: total minus time waiting on upstreams.',
    kind: 'timeseries',
    unit: 's',
    queries: [0.5, 0.99].map((q) => ({
      expr: quantile(q, 'switchyard_overhead_seconds', ['route']),
      legend: `p${q * 100}`,
    })),
  },
  {
    title: 'Latency p95 by model',
    description: 'p95 of the whole request per provider/model.',
    kind: 'timeseries',
    unit: 's',
    width: 12,
    queries: [
      {
        expr: quantile(0.95, DURATION, ['route', 'provider'], 'provider, model'),
        legend: '{{provider}}/{{model}}',
      },
    ],
  },
  {
    title: 'Observed target latency (p95, last 128 answers)',
    description:
      'What routing sees: the worst pod’s p95 per target, total and TTFT. Interactive requests avoid targets above their latency budget.',
    kind: 'timeseries',
    unit: 's',
    width: 12,
    queries: [
      {
        expr: `max by (provider, model, kind) (${sel('switchyard_target_latency_seconds', ['provider'], 'quantile="0.95"')})`,
        legend: '{{provider}}/{{model}} {{kind}}',
      },
    ],
  },
];

const upstream: PanelSpec[] = [
  {
    title: 'Upstream attempts by outcome',
    description: 'Attempts per second by outcome: ok, rate_limited, server_error, timeout, …',
    kind: 'timeseries',
    unit: 'ops',
    stack: true,
    queries: [
      {
        expr: rateBy('outcome', sel('switchyard_upstream_attempts_total', ['provider'])),
        legend: '{{outcome}}',
      },
    ],
  },
  {
    title: 'Retries',
    description: 'Retries of the same target per second.',
    kind: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: rateBy('provider, model', sel('switchyard_retries_total', ['provider'])),
        legend: '{{provider}}/{{model}}',
      },
    ],
  },
  {
    title: 'Failovers',
    description: 'Answers from a target other than the first planned, per route and reason.',
    kind: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: rateBy('route, reason', sel('switchyard_fallbacks_total', ['route'])),
        legend: '{{route}}: {{reason}}',
      },
    ],
  },
  {
    title: 'Circuit state',
    description:
      'Per target, the worst state on any pod: closed, half-open (a trial request is allowed) or open (skipped).',
    kind: 'state-timeline',
    unit: 'none',
    width: 12,
    mappings: [
      { value: 0, text: 'closed', color: 'green' },
      { value: 1, text: 'half-open', color: 'orange' },
      { value: 2, text: 'open', color: 'red' },
    ],
    queries: [
      {
        expr: `max by (provider, model) (${sel('switchyard_circuit_state', ['provider'])})`,
        legend: '{{provider}}/{{model}}',
      },
    ],
  },
  {
    title: 'Health probes',
    description: 'Token-free probes of targets with open circuits, by outcome.',
    kind: 'timeseries',
    unit: 'ops',
    width: 12,
    queries: [
      {
        expr: rateBy('provider, outcome', sel('switchyard_health_probes_total', ['provider'])),
        legend: '{{provider}} {{outcome}}',
      },
    ],
  },
  {
    title: 'Hedges',
    description: 'Hedged races per second: won by the hedge or by the first attempt.',
    kind: 'timeseries',
    unit: 'ops',
    width: 12,
    queries: [
      {
        expr: rateBy('route, result', sel('switchyard_hedges_total', ['route'])),
        legend: '{{route}} {{result}}',
      },
    ],
  },
  {
    title: 'Targets skipped (circuit open, rate limit)',
    description: 'Planned targets passed over before an attempt, per reason.',
    kind: 'timeseries',
    unit: 'ops',
    width: 12,
    queries: [
      {
        expr: rateBy(
          'provider, model, reason',
          sel('switchyard_attempts_skipped_total', ['provider']),
        ),
        legend: '{{provider}}/{{model}} {{reason}}',
      },
    ],
  },
];

const fleet: PanelSpec[] = [
  {
    title: 'Ready proxies',
    description: 'Proxies serving a loaded config (a proxy is not ready before its first config).',
    kind: 'stat',
    unit: 'short',
    width: 4,
    queries: [{ expr: `count(${sel('switchyard_config_info')} == 1)`, instant: true }],
  },
  {
    title: 'Config hashes served',
    description:
      'Distinct configs served across the fleet: more than 1 for long means a proxy is stuck.',
    kind: 'stat',
    unit: 'short',
    width: 4,
    thresholds: [{ value: 2, color: 'red' }],
    queries: [
      {
        expr: `count(count by (hash) (${sel('switchyard_config_info')} == 1))`,
        instant: true,
      },
    ],
  },
  {
    title: 'Operator leader',
    description: 'Operator replicas holding the leader Lease: must be exactly 1.',
    kind: 'stat',
    unit: 'short',
    width: 4,
    thresholds: [{ value: 2, color: 'red' }],
    queries: [{ expr: `sum(${sel('switchyard_operator_leader')})`, instant: true }],
  },
  {
    title: 'Config refused',
    description:
      'Configs a proxy refused (invalid or unsupported) over the time range; it kept the last good one.',
    kind: 'stat',
    unit: 'short',
    width: 4,
    thresholds: [{ value: 1, color: 'red' }],
    queries: [{ expr: increaseBy('', sel('switchyard_config_load_errors_total')), instant: true }],
  },
  {
    title: 'Published config size',
    description:
      'The published config as stored (gzipped when large); the ConfigMap limit is 1 MiB.',
    kind: 'stat',
    unit: 'bytes',
    width: 4,
    queries: [{ expr: `max(${sel('switchyard_operator_config_bytes')})`, instant: true }],
  },
  {
    title: 'Reconcile errors',
    description: 'Reconciles that failed over the time range (retried with backoff).',
    kind: 'stat',
    unit: 'short',
    width: 4,
    thresholds: [{ value: 1, color: 'orange' }],
    queries: [
      {
        expr: increaseBy('', sel('switchyard_operator_reconcile_errors_total')),
        instant: true,
      },
    ],
  },
  {
    title: 'Config served per pod',
    description: 'Which config hash each proxy serves.',
    kind: 'table',
    unit: 'none',
    queries: [
      { expr: `max by (instance, hash) (${sel('switchyard_config_info')} == 1)`, instant: true },
    ],
  },
  {
    title: 'Reconcile duration',
    description: 'p50 and p95 of one operator reconcile (compile, publish, status, events).',
    kind: 'timeseries',
    unit: 's',
    queries: [0.5, 0.95].map((q) => ({
      expr: `histogram_quantile(${q}, sum by (le) (rate(${sel('switchyard_operator_reconcile_duration_seconds_bucket')}[$__rate_interval])))`,
      legend: `p${q * 100}`,
    })),
  },
  {
    title: 'Custom resources by condition',
    description: 'ModelProviders and RoutePolicies by condition status, as last compiled.',
    kind: 'table',
    unit: 'short',
    queries: [
      {
        expr: `max by (kind, condition, status) (${sel('switchyard_operator_objects')})`,
        instant: true,
      },
    ],
  },
  {
    title: 'Operator writes',
    description:
      'Publications of the config and credentials, status writes by outcome, and Events.',
    kind: 'timeseries',
    unit: 'ops',
    width: 12,
    queries: [
      {
        expr: rateBy('object', sel('switchyard_operator_publications_total')),
        legend: 'publish {{object}}',
      },
      {
        expr: rateBy('outcome', sel('switchyard_operator_status_writes_total')),
        legend: 'status {{outcome}}',
      },
      { expr: rateBy('', sel('switchyard_operator_events_total')), legend: 'events' },
    ],
  },
  {
    title: 'Informer restarts',
    description:
      'Times a list/watch started over, by resource and reason (watch expiry is normal).',
    kind: 'timeseries',
    unit: 'ops',
    width: 12,
    queries: [
      {
        expr: rateBy('resource, reason', sel('switchyard_operator_informer_restarts_total')),
        legend: '{{resource}} {{reason}}',
      },
    ],
  },
  {
    title: 'Proxy CPU',
    description: 'CPU seconds per second, per proxy pod.',
    kind: 'timeseries',
    unit: 'short',
    width: 12,
    queries: [
      {
        expr: `sum by (instance) (rate(${sel('switchyard_process_process_cpu_seconds_total')}[$__rate_interval]))`,
        legend: '{{instance}}',
      },
    ],
  },
  {
    title: 'Event loop lag p99',
    description:
      'How late the proxy’s event loop runs, per pod: above a few ms, the pod is CPU-bound.',
    kind: 'timeseries',
    unit: 's',
    width: 12,
    queries: [
      {
        expr: `max by (instance) (${sel('switchyard_process_nodejs_eventloop_lag_p99_seconds')})`,
        legend: '{{instance}}',
      },
    ],
  },
  {
    title: 'Proxy memory',
    description: 'Resident memory per proxy pod.',
    kind: 'timeseries',
    unit: 'bytes',
    width: 12,
    queries: [
      {
        expr: `sum by (instance) (${sel('switchyard_process_process_resident_memory_bytes')})`,
        legend: '{{instance}}',
      },
    ],
  },
];

/** The Reliability board. */
export const RELIABILITY_BOARD: DashboardSpec = {
  uid: 'switchyard-reliability',
  title: 'Switchyard / Reliability',
  description:
    'Traffic and errors by origin, latency, TTFT and overhead, upstream attempts, retries, failovers, circuits, and the fleet behind it.',
  rows: [
    { title: 'Traffic and errors', panels: traffic },
    { title: 'Latency', panels: latency },
    { title: 'Upstreams', panels: upstream },
    { title: 'Fleet and operator', panels: fleet },
  ],
};
