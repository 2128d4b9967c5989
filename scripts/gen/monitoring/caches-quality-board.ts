// The Caches and quality board: the exact cache today; the semantic cache, judged quality and
// demotions as those features land (their panels show "No data" until then).
import type { DashboardSpec, PanelSpec } from './grafana.ts';
import { increaseBy, quantile, rateBy, sel } from './promql.ts';

const LOOKUPS = sel('switchyard_cache_lookups_total', ['route']);
const SEMANTIC = sel('switchyard_semantic_cache_lookups_total', ['route']);

const exact: PanelSpec[] = [
  {
    title: 'Exact cache hit ratio',
    description: 'Share of exact-cache lookups answered from the cache, over the time range.',
    kind: 'stat',
    unit: 'percentunit',
    width: 6,
    queries: [
      {
        expr: `${increaseBy('', sel('switchyard_cache_lookups_total', ['route'], 'result="hit"'))} / ${increaseBy('', LOOKUPS)}`,
        instant: true,
      },
    ],
  },
  {
    title: 'Answers served from the cache',
    description:
      'Requests answered from the exact cache over the time range (no provider call, no cost).',
    kind: 'stat',
    unit: 'short',
    width: 6,
    queries: [
      {
        expr: increaseBy(
          '',
          sel('switchyard_requests_total', ['route', 'provider'], 'cache="hit"'),
        ),
        instant: true,
      },
    ],
  },
  {
    title: 'Cache lookups by result',
    description:
      'Lookups per second: hit, miss, or error (Redis unreachable: the request goes on uncached).',
    kind: 'timeseries',
    unit: 'ops',
    width: 12,
    stack: true,
    queries: [{ expr: rateBy('route, result', LOOKUPS), legend: '{{route}} {{result}}' }],
  },
];

const semantic: PanelSpec[] = [
  {
    title: 'Semantic cache hit ratio',
    description:
      'Share of semantic lookups answered by a similar earlier request (same tenant and pool).',
    kind: 'stat',
    unit: 'percentunit',
    width: 6,
    queries: [
      {
        expr: `${increaseBy('', sel('switchyard_semantic_cache_lookups_total', ['route'], 'result="hit"'))} / ${increaseBy('', SEMANTIC)}`,
        instant: true,
      },
    ],
  },
  {
    title: 'Semantic lookups by result',
    description: 'Hits, misses and refusals (sensitive, negation guard, …) per second.',
    kind: 'timeseries',
    unit: 'ops',
    width: 9,
    queries: [{ expr: rateBy('route, result', SEMANTIC), legend: '{{route}} {{result}}' }],
  },
  {
    title: 'Similarity of semantic hits',
    description:
      'p50 and p05 similarity of the hits served: a low tail means the threshold is loose.',
    kind: 'timeseries',
    unit: 'none',
    width: 9,
    queries: [
      { expr: quantile(0.5, 'switchyard_semantic_cache_similarity', ['route']), legend: 'p50' },
      { expr: quantile(0.05, 'switchyard_semantic_cache_similarity', ['route']), legend: 'p05' },
    ],
  },
];

const quality: PanelSpec[] = [
  {
    title: 'Quality gate',
    description: 'Structured-output checks per second: passed, escalated, failed.',
    kind: 'timeseries',
    unit: 'ops',
    stack: true,
    queries: [
      {
        expr: rateBy('route, outcome', sel('switchyard_quality_gate_total', ['route'])),
        legend: '{{route}} {{outcome}}',
      },
    ],
  },
  {
    title: 'Judged quality by model',
    description: 'Mean judge score (1–10) of sampled answers per provider/model.',
    kind: 'timeseries',
    unit: 'none',
    queries: [
      {
        expr: `sum by (provider, model) (rate(${sel('switchyard_quality_score_sum', ['route', 'provider'])}[$__rate_interval])) / sum by (provider, model) (rate(${sel('switchyard_quality_score_count', ['route', 'provider'])}[$__rate_interval]))`,
        legend: '{{provider}}/{{model}}',
      },
    ],
  },
  {
    title: 'Judge spend',
    description: 'USD per hour spent on judging samples (charged to the policy’s budget).',
    kind: 'timeseries',
    unit: 'currencyUSD',
    queries: [
      {
        expr: `${rateBy('route', sel('switchyard_judge_cost_usd_total', ['route']))} * 3600`,
        legend: '{{route}}',
      },
    ],
  },
  {
    title: 'Demoted targets',
    description: 'Targets skipped by routing because their judged quality fell below the floor.',
    kind: 'state-timeline',
    unit: 'none',
    width: 24,
    mappings: [
      { value: 0, text: 'serving', color: 'green' },
      { value: 1, text: 'demoted', color: 'red' },
    ],
    queries: [
      {
        expr: `max by (provider, model) (${sel('switchyard_target_demoted', ['provider'])})`,
        legend: '{{provider}}/{{model}}',
      },
    ],
  },
];

/** The Caches and quality board. */
export const CACHES_QUALITY_BOARD: DashboardSpec = {
  uid: 'switchyard-caches-quality',
  title: 'Switchyard / Caches and quality',
  description:
    'Exact and semantic cache hits, the structured-output quality gate, judged quality and demotions.',
  rows: [
    { title: 'Exact cache', panels: exact },
    { title: 'Semantic cache', panels: semantic },
    { title: 'Quality', panels: quality },
  ],
};
