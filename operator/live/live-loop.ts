import type { RouterConfig } from '../../core/config/router-config.ts';
import { liveStatuses } from '../../core/live/live-summary.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { errorText, type Logger } from '../log/logger.ts';
import type { OperatorMetrics } from '../metrics/operator-metrics.ts';
import type { Sources } from '../watch/sources.ts';
import type { FleetReader } from './fleet-reader.ts';
import { LiveWriter, type LiveWriteReport } from './live-writer.ts';
import { QualityEvents } from './quality-events.ts';

/** How the live loop runs. */
export interface LiveLoopOptions {
  client: KubeClient;
  reader: FleetReader;
  sources: Sources;
  /** The config as last compiled (what is served), or undefined before the first reconcile. */
  config: () => RouterConfig | undefined;
  isLeader: () => boolean;
  identity: string;
  log: Logger;
  metrics: OperatorMetrics;
  /** Between rounds. Default 10 s. */
  intervalMs: number;
  /** Per object. Default 10 s. */
  minWriteIntervalMs: number;
  /** Across all objects. Default 40. */
  writesPerSecond: number;
  now?: () => number;
}

/** What one round did, for tests and logs. */
export interface LiveRound {
  writes: LiveWriteReport;
  events: number;
}

/**
 * The operator's live-state lane (docs/adr/0035-live-state-through-redis.md): every interval the
 * leader reads the fleet's shared state from Redis, summarises it into each served object's
 * status.live (core/live/live-summary.ts), writes what changed within its rate limits, and records
 * demotions and restorations as Events. It runs beside the reconciler, never inside it, so a slow
 * Redis cannot delay a publication; with no proxy up it still writes what the counters say.
 */
export class LiveLoop {
  readonly #options: LiveLoopOptions;
  readonly #writer: LiveWriter;
  readonly #events: QualityEvents;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<LiveRound | undefined> | undefined;
  #stopped = false;
  #failing = false;
  #listeners: ((round: LiveRound) => void)[] = [];

  constructor(options: LiveLoopOptions) {
    this.#options = options;
    const now = options.now ?? Date.now;
    this.#writer = new LiveWriter({
      client: options.client,
      lookup: (kind, id) => {
        const [namespace = '', name = ''] = id.split('/');
        const set = kind === 'ModelProvider' ? options.sources.providers : options.sources.policies;
        return set.get(namespace, name);
      },
      canWrite: () => options.isLeader() && !this.#stopped,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      minIntervalMs: options.minWriteIntervalMs,
      writesPerSecond: options.writesPerSecond,
      maxWritesPerRound: Math.max(
        1,
        Math.floor((options.writesPerSecond * options.intervalMs) / 1000),
      ),
    });
    this.#events = new QualityEvents(options.client, options.identity);
  }

  /**
   * Runs a round every intervalMs. A round that takes longer (many objects to write at the rate
   * limit) is followed by the next at once, so the writes keep their pace instead of waiting for a
   * tick that the long round made them miss.
   */
  start(): void {
    const schedule = (delayMs: number): void => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        const started = performance.now();
        void this.runOnce().finally(() =>
          schedule(Math.max(0, this.#options.intervalMs - (performance.now() - started))),
        );
      }, delayMs);
      this.#timer.unref();
    };
    schedule(this.#options.intervalMs);
  }

  /** Called after every round (tests). */
  onRound(listener: (round: LiveRound) => void): void {
    this.#listeners.push(listener);
  }

  /** Forgets per-term memory when leadership changes. */
  reset(): void {
    this.#writer.reset();
    this.#events.reset();
  }

  /** One round now (or the one under way); skipped while not leading or before a config exists. */
  runOnce(): Promise<LiveRound | undefined> {
    this.#round ??= this.#runRound().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  async #runRound(): Promise<LiveRound | undefined> {
    const { isLeader, config, reader, sources, log, metrics } = this.#options;
    const served = config();
    if (this.#stopped || !isLeader() || served === undefined || !sources.hasSynced)
      return undefined;
    const now = (this.#options.now ?? Date.now)();
    try {
      const read = await reader.read(served, now);
      const writes = await this.#writer.write(liveStatuses(served, read.view));
      const events = await this.#events.record(
        read.transitions,
        served,
        (ns, name) => sources.providers.get(ns, name),
        now,
      );
      metrics.liveStatusWrites.inc({ outcome: 'written' }, writes.written);
      metrics.liveStatusWrites.inc({ outcome: 'failed' }, writes.failed);
      metrics.events.inc(events);
      if (writes.failed > 0) {
        log.warn('could not write some live statuses', {
          failed: writes.failed,
          error: errorText(writes.firstError),
        });
      }
      if (this.#failing) log.info('live state readable again');
      this.#failing = false;
      const round = { writes, events };
      for (const listener of this.#listeners) listener(round);
      return round;
    } catch (error) {
      metrics.liveStatusReadErrors.inc();
      // One line when Redis goes away, not one per round.
      if (!this.#failing)
        log.warn('cannot read live state from Redis; status.live is kept as it was', {
          error: errorText(error),
        });
      this.#failing = true;
      return undefined;
    }
  }
}
