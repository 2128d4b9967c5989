// Chargeback metrics: spend and tokens per tenant and per x-switchyard-feature header value, each
// bounded to the top N values by spend plus "other" (top-labels.ts), so any number of tenants or
// feature names costs a fixed number of series.
import type { Registry } from 'prom-client';
import { promClient } from '../lean-imports.ts';
import { labelValue, TopLabels } from './top-labels.ts';

/** How many values of each dimension get a series of their own. */
export interface ChargebackOptions {
  /** Tenants with their own series (the rest: `other`); default 20. */
  readonly tenants?: number;
  /** x-switchyard-feature values with their own series; default 20. */
  readonly features?: number;
}

/** The request header that names the feature a request belongs to. */
export const FEATURE_HEADER = 'x-switchyard-feature';

/** Default number of named tenants and features. */
export const DEFAULT_CHARGEBACK_TOP = 20;

/** Weights halve in a day, so a tenant that stopped spending makes room for one that started. */
const DECAY_EVERY_MS = 3_600_000;
const DECAY_PER_HOUR = 0.5 ** (1 / 24);

/** What one answered request adds. */
export interface ChargebackEntry {
  readonly tenant: string | undefined;
  readonly feature: string | undefined;
  readonly costUSD: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

interface Dimension {
  readonly label: 'tenant' | 'feature';
  readonly top: TopLabels;
  readonly cost: InstanceType<typeof promClient.Counter>;
  readonly tokens: InstanceType<typeof promClient.Counter>;
}

function dimension(registry: Registry, name: 'tenant' | 'feature', limit: number): Dimension {
  const what = name === 'tenant' ? 'tenant' : 'x-switchyard-feature value';
  const cost = new promClient.Counter({
    name: `switchyard_${name}_cost_usd_total`,
    help: `Spend in USD per ${what}: the top ${limit} by spend on this pod, the rest as "other".`,
    labelNames: [name],
    registers: [registry],
  });
  const tokens = new promClient.Counter({
    name: `switchyard_${name}_tokens_total`,
    help: `Tokens per ${what} and type (input, output): the top ${limit} by spend, the rest as "other".`,
    labelNames: [name, 'type'],
    registers: [registry],
  });
  const top = new TopLabels({
    limit,
    // A value that loses its series stops being exported; what it spent stays in Prometheus.
    onEvict: (label) => {
      cost.remove(label);
      tokens.remove(label, 'input');
      tokens.remove(label, 'output');
    },
  });
  return { label: name, top, cost, tokens };
}

function count(d: Dimension, raw: string | undefined, entry: ChargebackEntry): void {
  const value = d.top.observe(labelValue(raw), entry.costUSD);
  // inc(0) too: a free request still shows its tenant, with a spend of 0.
  d.cost.inc({ [d.label]: value }, Math.max(0, entry.costUSD));
  if (entry.inputTokens > 0) d.tokens.inc({ [d.label]: value, type: 'input' }, entry.inputTokens);
  if (entry.outputTokens > 0)
    d.tokens.inc({ [d.label]: value, type: 'output' }, entry.outputTokens);
}

/** Counts spend and tokens per tenant and per feature, bounded. */
export class Chargeback {
  readonly #tenants: Dimension;
  readonly #features: Dimension;
  readonly #timer: NodeJS.Timeout;

  constructor(registry: Registry, options: ChargebackOptions = {}) {
    this.#tenants = dimension(registry, 'tenant', options.tenants ?? DEFAULT_CHARGEBACK_TOP);
    this.#features = dimension(registry, 'feature', options.features ?? DEFAULT_CHARGEBACK_TOP);
    this.#timer = setInterval(() => this.decay(DECAY_PER_HOUR), DECAY_EVERY_MS);
    this.#timer.unref();
  }

  /** Counts one answered request. */
  record(entry: ChargebackEntry): void {
    count(this.#tenants, entry.tenant, entry);
    count(this.#features, entry.feature, entry);
  }

  /** Ages every weight by `factor` (run hourly on its own). */
  decay(factor: number): void {
    this.#tenants.top.decay(factor);
    this.#features.top.decay(factor);
  }

  /** Stops the decay timer. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
