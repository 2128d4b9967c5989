// The Spend board: what Switchyard spent, what it avoided against always-premium, where the money
// went (route, tier, provider, model, tenant, feature) and where each budget is heading.
import type { DashboardSpec, PanelSpec } from './grafana.ts';
import { increaseBy, rateBy, sel, SECONDS_LEFT_IN_MONTH, SUCCESS } from './promql.ts';

const COST = sel('switchyard_cost_usd_total', ['route', 'provider']);
const AVOIDED = sel('switchyard_cost_avoided_usd_total', ['route']);
const SPENT = sel('switchyard_budget_spent_usd', ['route']);
const LIMIT = sel('switchyard_budget_limit_usd', ['route']);

const overview: PanelSpec[] = [
  {
    title: 'Spend',
    description: 'USD spent over the time range, from usage × pricing of every answer.',
    kind: 'stat',
    unit: 'currencyUSD',
    width: 5,
    queries: [{ expr: increaseBy('', COST), instant: true }],
  },
  {
    title: 'Cost avoided against always-premium',
    description:
      "What the same usage would have cost on each policy's most capable tier, minus what was spent.",
    kind: 'stat',
    unit: 'currencyUSD',
    width: 5,
    queries: [{ expr: increaseBy('', AVOIDED), instant: true }],
  },
  {
    title: 'Saved',
    description: 'Cost avoided as a share of what always-premium would have cost.',
    kind: 'stat',
    unit: 'percentunit',
    width: 4,
    queries: [
      {
        expr: `${increaseBy('', AVOIDED)} / (${increaseBy('', AVOIDED)} + ${increaseBy('', sel('switchyard_cost_usd_total', ['route']))})`,
        instant: true,
      },
    ],
  },
  {
    title: 'Cost per successful request',
    description: 'Spend divided by the answers that reached the client with a 2xx.',
    kind: 'stat',
    unit: 'currencyUSD',
    decimals: 6,
    width: 5,
    queries: [
      {
        expr: `${increaseBy('', COST)} / ${increaseBy('', sel('switchyard_requests_total', ['route', 'provider'], SUCCESS))}`,
        instant: true,
      },
    ],
  },
  {
    title: 'Tokens',
    description: 'Input, output, cached and reasoning tokens, as priced.',
    kind: 'stat',
    unit: 'short',
    width: 5,
    queries: [
      {
        expr: increaseBy('', sel('switchyard_tokens_total', ['route', 'provider'])),
        instant: true,
      },
    ],
  },
];

const breakdown: PanelSpec[] = [
  {
    title: 'Spend rate by route',
    description: 'USD per hour, per route (policy alias).',
    kind: 'timeseries',
    unit: 'currencyUSD',
    width: 12,
    stack: true,
    queries: [{ expr: `${rateBy('route', COST)} * 3600`, legend: '{{route}}' }],
  },
  {
    title: 'Cost avoided by route',
    description: 'USD per hour avoided against always-premium, per route.',
    kind: 'timeseries',
    unit: 'currencyUSD',
    width: 12,
    queries: [{ expr: `${rateBy('route', AVOIDED)} * 3600`, legend: '{{route}}' }],
  },
  {
    title: 'Spend by tier',
    description: 'USD over the time range per tier: most spend should sit where most value does.',
    kind: 'bargauge',
    unit: 'currencyUSD',
    queries: [{ expr: increaseBy('tier', COST), legend: '{{tier}}', instant: true }],
  },
  {
    title: 'Spend by provider',
    description: 'USD over the time range per provider account.',
    kind: 'bargauge',
    unit: 'currencyUSD',
    queries: [{ expr: increaseBy('provider', COST), legend: '{{provider}}', instant: true }],
  },
  {
    title: 'Spend by model',
    description: 'USD over the time range per provider/model.',
    kind: 'bargauge',
    unit: 'currencyUSD',
    queries: [
      {
        expr: increaseBy('provider, model', COST),
        legend: '{{provider}}/{{model}}',
        instant: true,
      },
    ],
  },
  {
    title: 'Tokens by type',
    description: 'Tokens per second by how they are priced (input, output, cached input, …).',
    kind: 'timeseries',
    unit: 'short',
    width: 12,
    stack: true,
    queries: [
      {
        expr: rateBy('type', sel('switchyard_tokens_total', ['route', 'provider'])),
        legend: '{{type}}',
      },
    ],
  },
  {
    title: 'Cost per successful request by route',
    description: 'USD per 2xx answer, per route, over the time range.',
    kind: 'bargauge',
    unit: 'currencyUSD',
    decimals: 6,
    width: 12,
    queries: [
      {
        expr: `${increaseBy('route', COST)} / ${increaseBy('route', sel('switchyard_requests_total', ['route', 'provider'], SUCCESS))}`,
        legend: '{{route}}',
        instant: true,
      },
    ],
  },
];

// Budgets are fleet-wide (Redis): every pod reports the same month-to-date figure, hence max.
const budgets: PanelSpec[] = [
  {
    title: 'Month-to-date spend against the cap',
    description:
      'Budgeted routes: spend this UTC month (reservations included) and the monthly cap.',
    kind: 'timeseries',
    unit: 'currencyUSD',
    width: 12,
    queries: [
      { expr: `max by (route) (${SPENT})`, legend: '{{route}} spent' },
      { expr: `max by (route) (${LIMIT})`, legend: '{{route}} cap' },
    ],
  },
  {
    title: 'Budget used',
    description:
      'Month-to-date spend as a share of the cap; downgrades start at the policy’s threshold.',
    kind: 'bargauge',
    unit: 'percentunit',
    width: 6,
    thresholds: [
      { value: 0.8, color: 'orange' },
      { value: 1, color: 'red' },
    ],
    queries: [
      {
        expr: `max by (route) (${SPENT}) / max by (route) (${LIMIT})`,
        legend: '{{route}}',
        instant: true,
      },
    ],
  },
  {
    title: 'Projected month-end spend against the cap',
    description:
      'Month-to-date spend plus the last 6 hours’ fleet-wide spend rate until the end of the UTC month, as a share of the cap.',
    kind: 'bargauge',
    unit: 'percentunit',
    width: 6,
    thresholds: [
      { value: 0.9, color: 'orange' },
      { value: 1, color: 'red' },
    ],
    queries: [
      {
        expr: `(max by (route) (${SPENT}) + sum by (route) (rate(${sel('switchyard_cost_usd_total', ['route'])}[6h])) * ${SECONDS_LEFT_IN_MONTH}) / max by (route) (${LIMIT})`,
        legend: '{{route}}',
        instant: true,
      },
    ],
  },
  {
    title: 'Budget burn rate',
    description:
      'Spend rate relative to the cap spread over the month: 1 spends exactly the cap by month end, 14 spends it in about two days.',
    kind: 'timeseries',
    unit: 'none',
    width: 12,
    queries: [
      {
        expr: `sum by (route) (rate(${sel('switchyard_cost_usd_total', ['route'])}[1h])) / (max by (route) (${LIMIT}) / (${'scalar(days_in_month())'} * 86400))`,
        legend: '{{route}}',
      },
    ],
  },
  {
    title: 'Budget rejections and fail-open checks',
    description:
      'Requests refused with 429 budget_exhausted, and budget checks that could not reach Redis and let the request through.',
    kind: 'timeseries',
    unit: 'reqps',
    width: 12,
    queries: [
      {
        expr: rateBy('route', sel('switchyard_budget_rejections_total', ['route'])),
        legend: '{{route}} rejected',
      },
      {
        expr: rateBy('route', sel('switchyard_budget_errors_total', ['route'])),
        legend: '{{route}} failed open',
      },
    ],
  },
];

const TENANT_COST = sel('switchyard_tenant_cost_usd_total');
const FEATURE_COST = sel('switchyard_feature_cost_usd_total');

const chargeback: PanelSpec[] = [
  {
    title: 'Spend by tenant',
    description:
      'USD per tenant over the time range: the top tenants by spend on each pod, the rest as "other".',
    kind: 'bargauge',
    unit: 'currencyUSD',
    queries: [{ expr: increaseBy('tenant', TENANT_COST), legend: '{{tenant}}', instant: true }],
  },
  {
    title: 'Spend by feature',
    description:
      'USD per x-switchyard-feature header value over the time range: top values by spend, the rest as "other", "none" without the header.',
    kind: 'bargauge',
    unit: 'currencyUSD',
    queries: [{ expr: increaseBy('feature', FEATURE_COST), legend: '{{feature}}', instant: true }],
  },
  {
    title: 'Tokens by tenant',
    description: 'Tokens per second per tenant (top tenants, the rest as "other").',
    kind: 'timeseries',
    unit: 'short',
    stack: true,
    queries: [
      {
        expr: rateBy('tenant', sel('switchyard_tenant_tokens_total')),
        legend: '{{tenant}}',
      },
    ],
  },
];

/** The Spend board. */
export const SPEND_BOARD: DashboardSpec = {
  uid: 'switchyard-spend',
  title: 'Switchyard / Spend',
  description:
    'Spend and cost avoided by route, tier, provider, model, tenant and feature; budgets against their caps.',
  rows: [
    { title: 'Overview', panels: overview },
    { title: 'Where the money goes', panels: breakdown },
    { title: 'Budgets', panels: budgets },
    { title: 'Chargeback', panels: chargeback },
  ],
};
