import { setTimeout as sleep } from 'node:timers/promises';
import { isApiStatus } from '../kube/kube-api-error.ts';
import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import { errorText, type Logger } from '../log/logger.ts';
import { FIELD_MANAGER } from '../publish/output-names.ts';

/** Timing of leader election, client-go's defaults; tests shorten them. */
export interface LeaderElectionTiming {
  /** How long a lease holds without renewal before others may take it. Default 15 s. */
  leaseDurationMs: number;
  /** The leader steps down when it could not renew for this long. Default 10 s. */
  renewDeadlineMs: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs: number;
}

/** client-go's defaults. */
export const DEFAULT_LEADER_ELECTION: LeaderElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** How to run leader election. */
export interface LeaderElectorOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** This replica's identity (pod name and a random suffix). */
  identity: string;
  timing: LeaderElectionTiming;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
 * a candidate takes the lease when its holder has not renewed it for leaseDuration — measured on
 * this replica's own monotonic clock from when it last saw the record change, so clock skew
 * between replicas does not matter — and the leader steps down when it cannot renew within
 * renewDeadline, before anyone else may take over. Writes use the resourceVersion, so two
 * candidates can never both win the same round.
 */
export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #stop = new AbortController();
  #leader = false;
  #observed: { record: string; at: number } | undefined;
  #lastRenewAt = 0;
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = options.timing;
    if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
      throw new Error('leader election needs retryPeriod < renewDeadline < leaseDuration');
    }
    this.#options = options;
  }

  /** Whether this replica holds the lease now. */
  get isLeader(): boolean {
    return this.#leader;
  }

  /** Starts campaigning. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops campaigning; a leader releases the lease so another replica takes over at once. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    if (this.#leader && options.release !== false) await this.#release();
    this.#setLeader(false);
  }

  async #run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.#options.timing;
    while (!this.#stop.signal.aborted) {
      let renewed = false;
      try {
        renewed = await this.#tryAcquireOrRenew();
      } catch (error) {
        this.#options.log.warn('lease update failed', { error: errorText(error) });
      }
      if (this.#stop.signal.aborted) return;
      if (renewed) {
        this.#lastRenewAt = performance.now();
        this.#setLeader(true);
      } else if (this.#leader && performance.now() - this.#lastRenewAt >= renewDeadlineMs) {
        this.#setLeader(false);
      }
      await sleep(retryPeriodMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  /** One round: true when this replica holds a freshly renewed lease. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { identity } = this.#options;
    const now = microTime(new Date());
    const existing = await this.#read();
    if (existing === undefined) return this.#create(now);
    const spec = existing.spec ?? {};
    this.#observe(spec);
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== identity && !this.#expired(spec)) {
      // Someone else holds a live lease; if we thought we led, we lost it.
      if (this.#leader) this.#setLeader(false);
      return false;
    }
    const next: LeaseSpec =
      holder === identity
        ? { ...spec, ...this.#spec(now) }
        : {
            ...this.#spec(now),
            acquireTime: now,
            leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === '' ? 0 : 1),
          };
    try {
      await this.#options.client.request({
        method: 'PUT',
        path: `${this.#collectionPath()}/${this.#options.name}`,
        body: this.#lease(existing.metadata.resourceVersion, next),
      });
    } catch (error) {
      if (isApiStatus(error, 409)) return false; // another candidate won this round
      throw error;
    }
    return true;
  }

  /**
   * Creates the Lease with server-side apply rather than POST: its URL names the object, so RBAC
   * can limit `create` to this one Lease. Each candidate applies as its own field manager, so
   * when two race, the second one's apply conflicts on holderIdentity (409) instead of
   * overwriting the winner.
   */
  async #create(now: string): Promise<boolean> {
    try {
      await this.#options.client.request({
        method: 'PATCH',
        path: `${this.#collectionPath()}/${this.#options.name}`,
        query: { fieldManager: `${FIELD_MANAGER}/${this.#options.identity}`.slice(0, 128) },
        body: this.#lease(undefined, { ...this.#spec(now), acquireTime: now, leaseTransitions: 0 }),
        contentType: CONTENT_TYPE.apply,
      });
    } catch (error) {
      if (isApiStatus(error, 409)) return false; // another candidate created it first
      throw error;
    }
    return true;
  }

  async #release(): Promise<void> {
    try {
      const existing = await this.#read();
      if (existing?.spec?.holderIdentity !== this.#options.identity) return;
      const now = microTime(new Date());
      await this.#options.client.request({
        method: 'PUT',
        path: `${this.#collectionPath()}/${this.#options.name}`,
        body: this.#lease(existing.metadata.resourceVersion, {
          ...existing.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: now,
        }),
      });
    } catch (error) {
      this.#options.log.warn('could not release the lease', { error: errorText(error) });
    }
  }

  async #read(): Promise<Lease | undefined> {
    try {
      return await this.#options.client.request<Lease>({
        method: 'GET',
        path: `${this.#collectionPath()}/${this.#options.name}`,
      });
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Remembers when the record last changed, on our monotonic clock. */
  #observe(spec: LeaseSpec): void {
    const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}|${spec.leaseTransitions ?? 0}`;
    if (this.#observed?.record !== record) {
      this.#observed = { record, at: performance.now() };
    }
  }

  #expired(spec: LeaseSpec): boolean {
    const durationMs =
      spec.leaseDurationSeconds === undefined
        ? this.#options.timing.leaseDurationMs
        : spec.leaseDurationSeconds * 1000;
    return this.#observed !== undefined && performance.now() - this.#observed.at >= durationMs;
  }

  #spec(now: string): LeaseSpec {
    return {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.#options.timing.leaseDurationMs / 1000)),
      renewTime: now,
    };
  }

  #lease(resourceVersion: string | undefined, spec: LeaseSpec): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.#options.name,
        namespace: this.#options.namespace,
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
      },
      spec,
    };
  }

  #collectionPath(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#options.namespace}/leases`;
  }

  #setLeader(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.#options.log.info(leader ? 'became the leader' : 'stopped leading', {
      identity: this.#options.identity,
    });
    if (leader) this.#options.onStartedLeading();
    else this.#options.onStoppedLeading();
  }
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}
