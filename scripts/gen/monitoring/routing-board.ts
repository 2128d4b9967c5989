// The Routing board: which tier and model answered, why (rules, client hints, the classifier, the
// default), and what moved a request elsewhere (fallbacks, the quality gate, experiments).
import type { DashboardSpec, PanelSpec } from './grafana.ts';
import { increaseBy, quantile, rateBy, sel, SUCCESS } from './promql.ts';

const REQUESTS = sel('switchyard_requests_total', ['route', 'provider']);
const CLASSIFIED = sel('switchyard_classifications_total', ['route']);

const share: PanelSpec[] = [
  {
    title: 'Share of answers per tier',
    description: 'Successful answers over the time range by the tier that answered them.',
    kind: 'piechart',
    unit: 'short',
    queries: [
      {
        expr: increaseBy('tier', sel('switchyard_requests_total', ['route', 'provider'], SUCCESS)),
        legend: '{{tier}}',
        instant: true,
      },
    ],
  },
  {
    title: 'Requests per tier',
    description: 'Requests per second by answering tier ("none": refused before routing).',
    kind: 'timeseries',
    unit: 'reqps',
    stack: true,
    queries: [{ expr: rateBy('tier', REQUESTS), legend: '{{tier}}' }],
  },
  {
    title: 'Requests per model',
    description: 'Requests per second by the provider/model that answered.',
    kind: 'timeseries',
    unit: 'reqps',
    stack: true,
    queries: [{ expr: rateBy('provider, model', REQUESTS), legend: '{{provider}}/{{model}}' }],
  },
];

const classification: PanelSpec[] = [
  {
    title: 'How requests were classified',
    description:
      'Over the time range: a rule matched, the client asked for a tier, the classifier decided, or the default tier.',
    kind: 'bargauge',
    unit: 'short',
    queries: [{ expr: increaseBy('source', CLASSIFIED), legend: '{{source}}', instant: true }],
  },
  {
    title: 'Classification by source and tier',
    description: 'Classifications per second, by source and the tier chosen.',
    kind: 'timeseries',
    unit: 'ops',
    queries: [{ expr: rateBy('source, tier', CLASSIFIED), legend: '{{source}} → {{tier}}' }],
  },
  {
    title: 'Rule hits',
    description: 'Requests per second per classification rule.',
    kind: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: rateBy('route, rule', sel('switchyard_rule_hits_total', ['route'])),
        legend: '{{route}}: {{rule}}',
      },
    ],
  },
  {
    title: 'Classifier calls by outcome',
    description:
      'Calls to the cheap classifier model: answered, timeout, error or an unusable answer (then the default tier).',
    kind: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: rateBy('outcome', sel('switchyard_classifier_calls_total', ['route'])),
        legend: '{{outcome}}',
      },
    ],
  },
  {
    title: 'Classifier latency',
    description: 'p50 and p95 of classifier calls: every request that reaches it waits this long.',
    kind: 'timeseries',
    unit: 's',
    queries: [
      { expr: quantile(0.5, 'switchyard_classifier_duration_seconds', ['route']), legend: 'p50' },
      { expr: quantile(0.95, 'switchyard_classifier_duration_seconds', ['route']), legend: 'p95' },
    ],
  },
];

const escalation: PanelSpec[] = [
  {
    title: 'Answered by a fallback target',
    description: 'Share of answers that came from a target other than the first planned one.',
    kind: 'timeseries',
    unit: 'percentunit',
    queries: [
      {
        expr: `${rateBy('route', sel('switchyard_fallbacks_total', ['route']))} / ${rateBy('route', REQUESTS)}`,
        legend: '{{route}}',
      },
    ],
  },
  {
    title: 'Fallbacks by reason',
    description: 'What made the first planned target fail: timeouts, 429s, 5xx, connect errors…',
    kind: 'timeseries',
    unit: 'ops',
    stack: true,
    queries: [
      {
        expr: rateBy('reason', sel('switchyard_fallbacks_total', ['route'])),
        legend: '{{reason}}',
      },
    ],
  },
  {
    title: 'Quality gate',
    description:
      'Structured-output answers checked: passed, escalated to the next tier after breaking the schema, or failed.',
    kind: 'timeseries',
    unit: 'ops',
    stack: true,
    queries: [
      {
        expr: rateBy('outcome', sel('switchyard_quality_gate_total', ['route'])),
        legend: '{{outcome}}',
      },
    ],
  },
  {
    title: 'Experiment arms',
    description: 'Requests per second per experiment arm, with their status codes.',
    kind: 'timeseries',
    unit: 'reqps',
    width: 24,
    queries: [
      {
        expr: rateBy(
          'route, experiment, arm',
          sel('switchyard_experiment_requests_total', ['route']),
        ),
        legend: '{{route}} {{experiment}}: {{arm}}',
      },
    ],
  },
];

/** The Routing board. */
export const ROUTING_BOARD: DashboardSpec = {
  uid: 'switchyard-routing',
  title: 'Switchyard / Routing',
  description:
    'Share per tier and model, how requests were classified, fallbacks, escalations and experiment arms.',
  rows: [
    { title: 'Who answered', panels: share },
    { title: 'Classification', panels: classification },
    { title: 'Fallbacks, escalations and experiments', panels: escalation },
  ],
};
