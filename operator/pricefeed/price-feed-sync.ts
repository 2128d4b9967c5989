import {
  APPROVE_PRICES_ANNOTATION,
  priceFeedSpec,
  priceFeedStatus,
  type PriceFeedSpec,
  type PriceFeedStatus,
} from '../../core/api/price-feed.ts';
import { parseFeedDocument, type FeedDocument } from '../../core/pricing/feed-document.ts';
import {
  nextFeedStatus,
  type FeedSyncResult,
  type SyncOutcome,
} from '../../core/pricing/feed-status.ts';
import {
  feedReferencesOf,
  trackedModelsFrom,
  type FeedReference,
  type TrackedModel,
} from '../../core/pricing/tracked-models.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { objectKey, type KubeObject } from '../kube/kube-object.ts';
import { errorText, type Logger } from '../log/logger.ts';
import type { OperatorMetrics } from '../metrics/operator-metrics.ts';
import { isLive, rawObjectOf } from '../reconcile/snapshot-of.ts';
import { kubeTime } from '../status/desired-status.ts';
import { Backoff } from '../watch/backoff.ts';
import type { ReflectorSet } from '../watch/reflector-set.ts';
import { FeedCredentialError, feedCredential } from './feed-credential.ts';
import { feedEvents, recordFeedEvents } from './feed-events.ts';
import { FeedFetcher, FeedFetchError, printableUrl } from './feed-fetcher.ts';
import { writeFeedStatus } from './feed-status-writer.ts';

/** Timing of the sync; tests shorten these. */
export interface PriceFeedTiming {
  /** The length of one of spec.intervalMinutes' minutes. Default 60 s. */
  minuteMs: number;
  /** The first retry after a failed fetch. Default 15 s. */
  initialRetryMs: number;
  /** The longest retry delay; never beyond the feed's own interval. Default 10 min. */
  maxRetryMs: number;
}

/** Production timing. */
export const DEFAULT_PRICE_FEED_TIMING: PriceFeedTiming = {
  minuteMs: 60_000,
  initialRetryMs: 15_000,
  maxRetryMs: 10 * 60_000,
};

/** What the sync reads and writes through. */
export interface PriceFeedSyncOptions {
  client: KubeClient;
  priceFeeds: ReflectorSet<KubeObject>;
  providers: ReflectorSet<KubeObject>;
  log: Logger;
  metrics: OperatorMetrics;
  clock: () => Date;
  /** reportingInstance of the Events. */
  identity: string;
  timing?: Partial<PriceFeedTiming> | undefined;
  /** Called after every sync step (tests). */
  onSync?: ((report: FeedSyncReport) => void) | undefined;
}

/** What one sync step of one feed did. */
export interface FeedSyncReport {
  feed: string;
  mode: 'fetch' | 'reweigh';
  outcome: SyncOutcome['kind'];
  applied: number;
  held: number;
  written: boolean;
}

type Mode = 'fetch' | 'reweigh';

/** What a step read before it started. */
interface StepInput {
  object: KubeObject;
  parsed: ReturnType<typeof priceFeedSpec.safeParse>;
  tracked: TrackedModel[];
  seen: { approval: string | undefined };
}

/** What the sync keeps of one feed between steps (in memory: a new leader starts by fetching). */
interface FeedState {
  key: string;
  namespace: string;
  name: string;
  /** The last document read, and where from (url and format): a spec change invalidates it. */
  document: FeedDocument | undefined;
  origin: string | undefined;
  etag: string | undefined;
  lastModified: string | undefined;
  /** What the last step saw, to tell which changes need a step. */
  seen: { generation: number; tracked: string; approval: string | undefined } | undefined;
  /** Epoch ms of the next fetch. */
  dueAt: number;
  backoff: Backoff;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  pending: Mode | undefined;
}

/**
 * The operator's price feed sync (leader only). Each PriceFeed is fetched at start, every
 * intervalMinutes, and at once when its spec changes; a failed fetch is retried with backoff.
 * Between fetches, the document read last is weighed again when what depends on it changes (a
 * ModelProvider starts or stops referencing a model, an approval arrives), without a fetch.
 * Each step computes the status with core's nextFeedStatus() and writes it; the reconcile then
 * sees the new status.prices in its watch and publishes the prices, so `cheapest` tiers follow
 * them. Proxies never fetch: feeds reach them only as prices in the published config.
 */
export class PriceFeedSync {
  readonly #options: PriceFeedSyncOptions;
  readonly #timing: PriceFeedTiming;
  readonly #fetcher = new FeedFetcher();
  readonly #states = new Map<string, FeedState>();
  /** Each provider's feed references, by resourceVersion: a provider is parsed once per version. */
  readonly #references = new Map<string, { version: string; references: FeedReference[] }>();
  #abort = new AbortController();
  #active = false;
  #planned: NodeJS.Timeout | undefined;

  constructor(options: PriceFeedSyncOptions) {
    this.#options = options;
    this.#timing = { ...DEFAULT_PRICE_FEED_TIMING, ...options.timing };
  }

  /** Starts syncing every feed (on becoming leader). */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#abort = new AbortController();
    this.changed();
  }

  /** Stops: timers cleared, fetches aborted, running steps awaited; in-memory documents dropped. */
  async stop(): Promise<void> {
    this.#active = false;
    clearTimeout(this.#planned);
    this.#planned = undefined;
    this.#abort.abort();
    const running: Promise<void>[] = [];
    for (const state of this.#states.values()) {
      clearTimeout(state.timer);
      if (state.running !== undefined) running.push(state.running);
    }
    // Cleared before waiting: a new term that starts meanwhile begins with fresh state.
    this.#states.clear();
    // Only the leader reports feeds, so that `max by (namespace)` over replicas is the leader's view.
    this.#options.metrics.setPriceFeeds([]);
    await Promise.all(running);
  }

  /** Closes the fetcher's connections (operator shutdown). */
  async close(): Promise<void> {
    await this.stop();
    await this.#fetcher.close();
  }

  /**
   * Something the sync reads changed (a PriceFeed or a ModelProvider). Bursts (a thousand objects
   * listed at start, our own status writes) are coalesced into one look at every feed.
   */
  changed(): void {
    if (!this.#active || this.#planned !== undefined) return;
    this.#planned = setTimeout(() => {
      this.#planned = undefined;
      this.#plan();
    }, 20);
    this.#planned.unref();
  }

  /** Decides what each feed needs now: a fetch, a reweigh, or its timer. */
  #plan(): void {
    if (!this.#active) return;
    const live = new Set<string>();
    for (const object of this.#options.priceFeeds.values()) {
      if (!isLive(object)) continue;
      const state = this.#stateOf(object);
      live.add(state.key);
      const need = this.#needOf(state, object);
      if (need !== undefined) this.#request(state, need);
      else this.#arm(state);
    }
    for (const [key, state] of this.#states) {
      if (live.has(key)) continue;
      clearTimeout(state.timer);
      this.#states.delete(key);
    }
    this.#reportFeeds();
  }

  #stateOf(object: KubeObject): FeedState {
    const key = objectKey(object);
    let state = this.#states.get(key);
    if (state === undefined) {
      state = {
        key,
        namespace: object.metadata.namespace ?? 'default',
        name: object.metadata.name,
        document: undefined,
        origin: undefined,
        etag: undefined,
        lastModified: undefined,
        seen: undefined,
        dueAt: 0,
        backoff: new Backoff({
          initialMs: this.#timing.initialRetryMs,
          maxMs: this.#timing.maxRetryMs,
        }),
        timer: undefined,
        running: undefined,
        pending: undefined,
      };
      this.#states.set(key, state);
    }
    return state;
  }

  /** A fetch when due or when the spec changed; a reweigh when references or the approval did. */
  #needOf(state: FeedState, object: KubeObject): Mode | undefined {
    const seen = state.seen;
    if (seen === undefined || Date.now() >= state.dueAt) return 'fetch';
    if (seen.generation !== (object.metadata.generation ?? 0)) return 'fetch';
    const tracked = JSON.stringify(this.#tracked(state));
    if (tracked !== seen.tracked || approvalOf(object) !== seen.approval) return 'reweigh';
    return undefined;
  }

  #tracked(state: FeedState): TrackedModel[] {
    return trackedModelsFrom(state.namespace, state.name, this.#allReferences());
  }

  #allReferences(): FeedReference[] {
    const live = new Set<string>();
    const all: FeedReference[] = [];
    for (const provider of this.#options.providers.values()) {
      if (!isLive(provider)) continue;
      const key = objectKey(provider);
      live.add(key);
      const version = provider.metadata.resourceVersion ?? '';
      let cached = this.#references.get(key);
      if (cached?.version !== version) {
        cached = { version, references: feedReferencesOf(rawObjectOf(provider)) };
        this.#references.set(key, cached);
      }
      all.push(...cached.references);
    }
    for (const key of this.#references.keys()) if (!live.has(key)) this.#references.delete(key);
    return all;
  }

  #request(state: FeedState, mode: Mode): void {
    if (state.running !== undefined) {
      if (state.pending !== 'fetch') state.pending = mode;
      return;
    }
    clearTimeout(state.timer);
    state.timer = undefined;
    state.running = this.#step(state, mode)
      .catch((error: unknown) => {
        this.#options.log.error('price feed sync failed', {
          feed: state.key,
          error: errorText(error),
        });
        // A failed status write is retried at the next fetch, with backoff.
        state.dueAt = Date.now() + state.backoff.next();
      })
      .finally(() => {
        state.running = undefined;
        const pending = state.pending;
        state.pending = undefined;
        if (!this.#active || !this.#states.has(state.key)) return;
        if (pending !== undefined) this.#request(state, pending);
        else this.changed();
      });
  }

  /** Arms the timer of the next fetch. */
  #arm(state: FeedState): void {
    if (state.running !== undefined || state.timer !== undefined) return;
    const delay = Math.max(0, state.dueAt - Date.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (this.#active) this.#request(state, 'fetch');
    }, delay);
    state.timer.unref();
  }

  async #step(state: FeedState, mode: Mode): Promise<void> {
    const object = this.#options.priceFeeds.get(state.namespace, state.name);
    if (object === undefined || !this.#active) return;
    const parsed = priceFeedSpec.safeParse(object['spec']);
    const generation = object.metadata.generation ?? 0;
    const tracked = this.#tracked(state);
    // Whatever happens below, this step answered these inputs: a failure waits for its backoff
    // instead of being retried at once by the next change() (which would spin).
    const seen = { generation, tracked: JSON.stringify(tracked), approval: approvalOf(object) };
    try {
      await this.#stepWith(state, mode, { object, parsed, tracked, seen });
    } finally {
      state.seen = seen;
    }
  }

  async #stepWith(state: FeedState, mode: Mode, step: StepInput): Promise<void> {
    const { object, parsed, tracked, seen } = step;
    const generation = object.metadata.generation ?? 0;
    let outcome: SyncOutcome;
    if (!parsed.success) {
      outcome = {
        kind: 'failed',
        reason: 'InvalidSpec',
        message: `the spec does not match the schema: ${parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ')}`,
      };
      state.dueAt = Date.now() + this.#intervalMs(undefined);
    } else if (mode === 'fetch') {
      outcome = await this.#fetch(state, parsed.data);
    } else {
      outcome =
        state.document === undefined
          ? { kind: 'none' }
          : { kind: 'reused', document: state.document };
    }
    if (!this.#active) return;
    const now = kubeTime(this.#options.clock());
    const spec = parsed.success ? parsed.data : undefined;
    const compute = (current: KubeObject): FeedSyncResult & { approval: string | undefined } => {
      const approval = approvalOf(current);
      return {
        approval,
        ...nextFeedStatus({
          namespace: state.namespace,
          name: state.name,
          generation: current.metadata.generation ?? generation,
          spec: spec ?? INVALID_SPEC_DEFAULTS,
          approval,
          previous: storedStatus(current),
          outcome,
          tracked,
          now,
          nextSyncTime: kubeTime(new Date(state.dueAt)),
        }),
      };
    };
    const result = await writeFeedStatus(this.#options.client, object, compute);
    if (result === undefined) return;
    seen.approval = result.approval;
    await this.#report(state, object, result, spec, now);
    this.#options.onSync?.({
      feed: state.key,
      mode,
      outcome: outcome.kind,
      applied: result.applied.length,
      held: result.status.heldChanges?.length ?? 0,
      written: true,
    });
  }

  /** One fetch: the credential, the document (conditionally), parsed; never throws. */
  async #fetch(state: FeedState, spec: PriceFeedSpec): Promise<SyncOutcome> {
    const origin = `${spec.url}\n${spec.format}`;
    if (state.origin !== origin) {
      state.document = undefined;
      state.etag = undefined;
      state.lastModified = undefined;
    }
    const { metrics, log } = this.#options;
    try {
      const credential = await feedCredential(this.#options.client, state.namespace, spec);
      const conditional = state.document !== undefined;
      const response = await this.#fetcher.fetch({
        url: spec.url,
        timeoutMs: spec.timeoutSeconds * 1000,
        maxBytes: spec.maxSizeMiB * 1024 * 1024,
        etag: conditional ? state.etag : undefined,
        lastModified: conditional ? state.lastModified : undefined,
        credential,
        signal: this.#abort.signal,
      });
      if (response.kind === 'not-modified' && state.document !== undefined) {
        this.#succeeded(state, spec);
        metrics.priceFeedSyncs.inc({ outcome: 'not_modified', reason: 'Synced' });
        return { kind: 'fetched', document: state.document, notModified: true };
      }
      if (response.kind !== 'document')
        throw new FeedFetchError('HTTPError', 'answered 304 to an unconditional request');
      const parsedDocument = parseFeedDocument(spec.format, response.text);
      if (!parsedDocument.ok) {
        return this.#failed(
          state,
          spec,
          'Malformed',
          `the document at ${printableUrl(spec.url)} does not read as format ${spec.format}: ${parsedDocument.message}`,
        );
      }
      state.document = parsedDocument.document;
      state.origin = origin;
      state.etag = response.etag;
      state.lastModified = response.lastModified;
      this.#succeeded(state, spec);
      metrics.priceFeedSyncs.inc({ outcome: 'ok', reason: 'Synced' });
      log.debug('price feed fetched', { feed: state.key, models: state.document.models.size });
      return { kind: 'fetched', document: state.document, notModified: false };
    } catch (error) {
      if (error instanceof FeedFetchError || error instanceof FeedCredentialError) {
        return this.#failed(state, spec, error.code, error.message);
      }
      if (this.#abort.signal.aborted) return { kind: 'none' };
      throw error;
    }
  }

  #succeeded(state: FeedState, spec: PriceFeedSpec): void {
    state.backoff.reset();
    state.dueAt = Date.now() + this.#intervalMs(spec);
  }

  #failed(
    state: FeedState,
    spec: PriceFeedSpec,
    reason: Extract<SyncOutcome, { kind: 'failed' }>['reason'],
    message: string,
  ): SyncOutcome {
    state.dueAt = Date.now() + Math.min(state.backoff.next(), this.#intervalMs(spec));
    this.#options.metrics.priceFeedSyncs.inc({ outcome: 'failed', reason });
    this.#options.log.warn('price feed sync failed; the prices in force stay', {
      feed: state.key,
      reason,
      message,
      retryInMs: state.dueAt - Date.now(),
    });
    return { kind: 'failed', reason, message };
  }

  #intervalMs(spec: PriceFeedSpec | undefined): number {
    return (spec?.intervalMinutes ?? 60) * this.#timing.minuteMs;
  }

  async #report(
    state: FeedState,
    object: KubeObject,
    result: FeedSyncResult,
    spec: PriceFeedSpec | undefined,
    now: string,
  ): Promise<void> {
    const { metrics, log, client, identity } = this.#options;
    const approved = result.applied.filter((change) => change.approved === true).length;
    metrics.priceChanges.inc({ outcome: 'applied' }, result.applied.length - approved);
    metrics.priceChanges.inc({ outcome: 'approved' }, approved);
    metrics.priceChanges.inc({ outcome: 'held' }, result.newlyHeld.length);
    const synced = result.status.conditions?.find((c) => c.type === 'Synced');
    if (result.applied.length > 0 || result.newlyHeld.length > 0) {
      log.info('price feed changes', {
        feed: state.key,
        applied: result.applied.length,
        approved,
        held: result.status.heldChanges?.length ?? 0,
      });
    }
    const uid = object.metadata.uid;
    if (uid === undefined) return;
    const events = feedEvents(
      { namespace: state.namespace, name: state.name, uid },
      {
        applied: result.applied,
        newlyHeld: result.newlyHeld,
        digest: result.status.heldChangesDigest,
        maxChangeFactor: spec?.maxChangeFactor ?? 3,
        failure:
          result.newlyFailed && synced !== undefined
            ? { reason: synced.reason, message: synced.message }
            : undefined,
        now,
      },
    );
    const recorded = await recordFeedEvents(
      client,
      { namespace: state.namespace, name: state.name, uid },
      events,
      identity,
      now,
    );
    metrics.events.inc(recorded.emitted);
    if (recorded.firstError !== undefined) {
      log.warn('could not record some price feed events', {
        feed: state.key,
        error: errorText(recorded.firstError),
      });
    }
  }

  /** The feeds gauge, from the cached statuses. */
  #reportFeeds(): void {
    this.#options.metrics.setPriceFeeds(
      this.#options.priceFeeds
        .values()
        .filter(isLive)
        .map((object) => storedStatus(object)?.conditions ?? []),
    );
  }
}

/** What a status says of a feed whose spec is invalid (the messages need a factor). */
const INVALID_SPEC_DEFAULTS = { maxChangeFactor: 3, format: 'openrouter' } as const;

function approvalOf(object: KubeObject): string | undefined {
  return object.metadata.annotations?.[APPROVE_PRICES_ANNOTATION];
}

/** The stored status, or undefined when there is none or it does not parse (it is rebuilt). */
function storedStatus(object: KubeObject): PriceFeedStatus | undefined {
  const parsed = priceFeedStatus.safeParse(object['status']);
  return parsed.success ? parsed.data : undefined;
}
