import { promClient } from '../lean-imports.ts';

const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05];

/**
 * Every metric the proxy exports. Labels are bounded: route aliases, tiers, provider/model names
 * and rules come from the config, statuses are grouped, nothing comes from raw client input.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'switchyard_requests_total',
    help: 'Requests answered, by route, tier, provider, model and status code.',
    labelNames: ['route', 'tier', 'provider', 'model', 'code', 'cache'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time from request received to response end.',
    labelNames: ['route', 'provider', 'model', 'stream'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: 'switchyard_time_to_first_token_seconds',
    help: 'Streaming: time from request received to the first content byte sent to the client.',
    labelNames: ['route', 'provider', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly requestErrors = new Counter({
    name: 'switchyard_request_errors_total',
    help: 'Requests that failed, by route, whose fault (origin: caller, policy, provider, gateway) and status code.',
    labelNames: ['route', 'origin', 'code'] as const,
    registers: [this.registry],
  });
  readonly upstreamAttempts = new Counter({
    name: 'switchyard_upstream_attempts_total',
    help: 'Upstream attempts by provider, model and outcome (ok, rate_limited, server_error, timeout, connect_error, ...).',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'switchyard_tokens_total',
    help: 'Tokens by route, provider, model and type (input, output, cached_input, cache_write, reasoning).',
    labelNames: ['route', 'provider', 'model', 'type'] as const,
    registers: [this.registry],
  });
  readonly cost = new Counter({
    name: 'switchyard_cost_usd_total',
    help: 'Spend in USD computed from usage and pricing.',
    labelNames: ['route', 'tier', 'provider', 'model'] as const,
    registers: [this.registry],
  });
  readonly costAvoided = new Counter({
    name: 'switchyard_cost_avoided_usd_total',
    help: "What the policy's most expensive tier would have cost minus what was spent.",
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly overhead = new Histogram({
    name: 'switchyard_overhead_seconds',
    help: 'Time spent in the proxy itself (total minus time waiting on upstreams).',
    labelNames: ['route'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'switchyard_fallbacks_total',
    help: 'Requests answered by a target other than the first planned one, by route and reason.',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'switchyard_retries_total',
    help: 'Retries of the same target.',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  readonly qualityGate = new Counter({
    name: 'switchyard_quality_gate_total',
    help: 'Structured-output answers checked, by route and outcome (passed, escalated, failed).',
    labelNames: ['route', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly classifications = new Counter({
    name: 'switchyard_classifications_total',
    help: 'How requests were classified, by route, source (rule, client, classifier, default) and tier.',
    labelNames: ['route', 'source', 'tier'] as const,
    registers: [this.registry],
  });
  readonly classifierCalls = new Counter({
    name: 'switchyard_classifier_calls_total',
    help: 'Calls to a policy classifier model, by route and outcome (answered, timeout, error, unusable, skipped_*).',
    labelNames: ['route', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly classifierDuration = new Histogram({
    name: 'switchyard_classifier_duration_seconds',
    help: 'Time a classifier model call took (skipped calls are not timed), by route and outcome.',
    labelNames: ['route', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly probes = new Counter({
    name: 'switchyard_health_probes_total',
    help: 'Active health probes (no tokens spent), by provider and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly budgetSpent = new Gauge({
    name: 'switchyard_budget_spent_usd',
    help: 'Month-to-date spend of a route with a budget (reservations included), as last read from the shared state.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly budgetLimit = new Gauge({
    name: 'switchyard_budget_limit_usd',
    help: 'Monthly cap of a route with a budget (budget.monthlyUSD), for dashboards and burn-rate alerts.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly budgetRejections = new Counter({
    name: 'switchyard_budget_rejections_total',
    help: "Requests refused because their route's monthly budget was spent (HTTP 429 budget_exhausted).",
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly budgetErrors = new Counter({
    name: 'switchyard_budget_errors_total',
    help: 'Budget checks that could not reach the shared state and failed open.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'switchyard_cache_lookups_total',
    help: 'Exact-cache lookups by route and result (hit, miss, error).',
    labelNames: ['route', 'result'] as const,
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'switchyard_circuit_state',
    help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open.',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  /** Observed latency per target, read from the health tracker at scrape time. */
  readonly targetLatency = new Gauge({
    name: 'switchyard_target_latency_seconds',
    help: 'Observed latency of each target on this pod over its last 128 answers: kind ttft or total, quantile 0.5 or 0.95.',
    labelNames: ['provider', 'model', 'kind', 'quantile'] as const,
    registers: [this.registry],
  });
  /**
   * What to autoscale a fleet of proxies on (the chart's `targetRequestsInFlight`): a stream holds
   * a slot for its whole length while costing little CPU, so CPU alone under-counts LLM traffic.
   */
  #inFlight = 0;
  readonly inFlight: InstanceType<typeof Gauge> = new Gauge({
    name: 'switchyard_requests_in_flight',
    help: 'Chat and embeddings requests being answered right now (a stream until its last chunk).',
    registers: [this.registry],
    // A plain count read at scrape time: two gauge updates per request cost measurable CPU.
    collect: (): void => this.inFlight.set(this.#inFlight),
  });
  /** A request started (see `requestEnded`). */
  requestStarted(): void {
    this.#inFlight += 1;
  }
  /** A request's response closed; one function for every response, so no closure per request. */
  readonly requestEnded = (): void => {
    this.#inFlight -= 1;
  };
  // The quality loop (docs/quality.md) and experiments.
  readonly qualityScore = new Histogram({
    name: 'switchyard_quality_score',
    help: 'Judge scores (1 to 10) of sampled answers, by route, tier, provider and model.',
    labelNames: ['route', 'tier', 'provider', 'model'] as const,
    buckets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    registers: [this.registry],
  });
  readonly judgeCalls = new Counter({
    name: 'switchyard_judge_calls_total',
    help: 'Judge calls by route and outcome (scored, timeout, error, unusable, dropped when the queue was full, skipped_*).',
    labelNames: ['route', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly judgeCost = new Counter({
    name: 'switchyard_judge_cost_usd_total',
    help: "What judge calls cost, by route (charged to the route's budget, not in switchyard_cost_usd_total).",
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly judgeQueueDepth = new Gauge({
    name: 'switchyard_judge_queue_depth',
    help: 'Sampled answers waiting for or being judged on this pod, by route.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly targetDemoted = new Gauge({
    name: 'switchyard_target_demoted',
    help: '1 while a target is demoted for low judged quality under a route (fleet-wide with Redis).',
    labelNames: ['route', 'provider', 'model'] as const,
    registers: [this.registry],
  });
  readonly successfulRequests = new Counter({
    name: 'switchyard_successful_requests_total',
    help: 'Requests answered with HTTP 200, the schema passed and, when judged, a score at or above the floor; cost per successful request is switchyard_cost_usd_total over this.',
    labelNames: ['route', 'tier', 'provider', 'model'] as const,
    registers: [this.registry],
  });
  readonly experimentRequests = new Counter({
    name: 'switchyard_experiment_requests_total',
    help: 'Requests of a policy running an experiment, by route (the alias sent), experiment, arm (control or variant) and status code.',
    labelNames: ['route', 'experiment', 'arm', 'code'] as const,
    registers: [this.registry],
  });
  /** Request bodies held in memory (proxy/http/body-reader.ts), set at scrape time. */
  readonly bodyBytesInFlight = new Gauge({
    name: 'switchyard_request_body_bytes_in_flight',
    help: 'Bytes of request bodies held right now, from their first byte until their answer is sent; past the budget requests get 503.',
    registers: [this.registry],
  });
  readonly configInfo = new Gauge({
    name: 'switchyard_config_info',
    help: 'The config being served (value 1), labelled with its hash.',
    labelNames: ['hash'] as const,
    registers: [this.registry],
  });
  readonly configLoadErrors = new Counter({
    name: 'switchyard_config_load_errors_total',
    help: 'Configs refused (invalid or unsupported); the last good config kept serving.',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_process_' });
  }

  readonly #scrapeHooks: (() => void)[] = [];

  /** Runs `hook` before every scrape, to refresh gauges computed from live state. */
  onScrape(hook: () => void): void {
    this.#scrapeHooks.push(hook);
  }

  /** The exposition text; refreshes the live gauges first. */
  async scrape(): Promise<string> {
    for (const hook of this.#scrapeHooks) hook();
    return this.registry.metrics();
  }

  /** Marks `hash` as the config being served. */
  setConfig(hash: string): void {
    this.configInfo.reset();
    this.configInfo.set({ hash }, 1);
  }
}
