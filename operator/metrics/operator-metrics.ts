import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObjectStatus } from '../../core/compile/status.ts';

/**
 * The operator's Prometheus metrics, on a registry of its own (two operators in one test
 * process must not share counters). Labels are bounded: kinds, condition types, statuses,
 * resources and outcomes — never object names.
 */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: 'switchyard_operator_reconcile_duration_seconds',
    help: 'Time of one reconcile: compile, publish, status and events.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'switchyard_operator_reconcile_errors_total',
    help: 'Reconciles that failed (they are retried with backoff).',
    registers: [this.registry],
  });
  readonly objects = new Gauge({
    name: 'switchyard_operator_objects',
    help: 'Custom resources by kind and by the status of each condition, as last compiled.',
    labelNames: ['kind', 'condition', 'status'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'switchyard_operator_leader',
    help: '1 while this replica holds the leader Lease, else 0.',
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'switchyard_operator_informer_restarts_total',
    help: 'Times a list/watch cycle started over, by resource and reason.',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });
  readonly publications = new Counter({
    name: 'switchyard_operator_publications_total',
    help: 'Server-side applies of the published ConfigMap and Secret (unchanged ones are skipped).',
    labelNames: ['object'] as const,
    registers: [this.registry],
  });
  readonly statusWrites = new Counter({
    name: 'switchyard_operator_status_writes_total',
    help: 'Status subresource writes, by outcome (written, conflict, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'switchyard_operator_events_total',
    help: 'Kubernetes Events recorded for rejections.',
    registers: [this.registry],
  });
  readonly priceFeedSyncs = new Counter({
    name: 'switchyard_operator_price_feed_syncs_total',
    help: 'PriceFeed fetches, by outcome (ok, not_modified, failed) and Synced reason.',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  readonly priceChanges = new Counter({
    name: 'switchyard_operator_price_changes_total',
    help: 'Price and context-window changes from feeds, by outcome (applied, approved, held).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly priceFeeds = new Gauge({
    name: 'switchyard_operator_price_feeds',
    help: 'PriceFeeds by condition and status, as last synced (alert on Synced="False").',
    labelNames: ['condition', 'status'] as const,
    registers: [this.registry],
  });
  readonly liveStatusWrites = new Counter({
    name: 'switchyard_operator_live_status_writes_total',
    help: 'Writes of status.live (live health and spend from the proxy fleet), by outcome (written, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly liveStatusReadErrors = new Counter({
    name: 'switchyard_operator_live_read_errors_total',
    help: 'Rounds in which the fleet state could not be read from Redis (status.live kept as it was).',
    registers: [this.registry],
  });
  readonly configBytes = new Gauge({
    name: 'switchyard_operator_config_bytes',
    help: 'Size of the published config as stored (gzipped when compressed).',
    registers: [this.registry],
  });

  constructor() {
    this.leader.set(0);
  }

  /** Replaces the price feeds gauge with the conditions of every feed's last sync. */
  setPriceFeeds(conditions: readonly { type: string; status: string }[][]): void {
    const counts = new Map<string, number>();
    for (const feed of conditions) {
      for (const { type, status } of feed) {
        counts.set(`${type}|${status}`, (counts.get(`${type}|${status}`) ?? 0) + 1);
      }
    }
    this.priceFeeds.reset();
    for (const [key, n] of counts) {
      const [condition = '', status = ''] = key.split('|');
      this.priceFeeds.set({ condition, status }, n);
    }
  }

  /** Replaces the objects gauge with the counts of the latest compile. */
  setObjects(statuses: readonly ObjectStatus[]): void {
    const counts = new Map<
      string,
      { kind: string; condition: string; status: string; n: number }
    >();
    for (const status of statuses) {
      for (const condition of status.conditions) {
        const key = `${status.kind}|${condition.type}|${condition.status}`;
        const entry = counts.get(key) ?? {
          kind: status.kind,
          condition: condition.type,
          status: condition.status,
          n: 0,
        };
        entry.n++;
        counts.set(key, entry);
      }
    }
    this.objects.reset();
    for (const { kind, condition, status, n } of counts.values()) {
      this.objects.set({ kind, condition, status }, n);
    }
  }
}
