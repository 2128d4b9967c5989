import { createHash } from 'node:crypto';
import { API_VERSION } from '../../core/api/common.ts';
import type { ComputedCondition, ObjectStatus } from '../../core/compile/status.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import { kubeTime } from '../status/desired-status.ts';

/** Conditions whose False status is a rejection worth an Event. */
const REJECTING = new Set<ComputedCondition['type']>(['Accepted', 'ResolvedRefs']);

/** Component name Events carry. */
export const EVENT_COMPONENT = 'switchyard-operator';

/** The uid of an object, for the Event's involvedObject. */
export type UidLookup = (status: ObjectStatus) => string | undefined;

/** What one round of Event recording did. */
export interface EventReport {
  emitted: number;
  failed: number;
  firstError: unknown;
}

/**
 * Records a Warning Event for every rejection (Accepted or ResolvedRefs False), once: the same
 * rejection of the same object is not repeated on every reconcile. Event names are derived from
 * the object's uid and the rejection, so a restarted operator or a new leader finds the Event
 * already there (409) instead of recording a duplicate; a rejection that clears and later comes
 * back bumps the existing Event's count.
 */
export class EventRecorder {
  readonly #client: KubeClient;
  readonly #instance: string;
  readonly #clock: () => Date;
  /** `uid/conditionType` → Event name of the rejection currently in force. */
  readonly #active = new Map<string, string>();
  /** Events this process created or bumped, with their count. */
  readonly #counts = new Map<string, number>();

  constructor(client: KubeClient, instance: string, clock: () => Date) {
    this.#client = client;
    this.#instance = instance;
    this.#clock = clock;
  }

  /** Records new rejections among `statuses`. */
  async record(statuses: readonly ObjectStatus[], uidOf: UidLookup): Promise<EventReport> {
    const report: EventReport = { emitted: 0, failed: 0, firstError: undefined };
    const seen = new Set<string>();
    for (const status of statuses) {
      const uid = uidOf(status);
      if (uid === undefined) continue;
      for (const condition of status.conditions) {
        if (!REJECTING.has(condition.type) || condition.status !== 'False') continue;
        const slot = `${uid}/${condition.type}`;
        seen.add(slot);
        const name = eventName(status, uid, condition);
        if (this.#active.get(slot) === name) continue;
        try {
          if (await this.#emit(status, uid, condition, name)) report.emitted++;
          this.#active.set(slot, name);
        } catch (error) {
          report.failed++;
          report.firstError ??= error;
        }
      }
    }
    for (const slot of this.#active.keys()) if (!seen.has(slot)) this.#active.delete(slot);
    return report;
  }

  /** Forgets which rejections were recorded (a new leader term starts from the API's state). */
  reset(): void {
    this.#active.clear();
  }

  async #emit(
    status: ObjectStatus,
    uid: string,
    condition: ComputedCondition,
    name: string,
  ): Promise<boolean> {
    const now = kubeTime(this.#clock());
    const path = `/api/v1/namespaces/${status.namespace}/events`;
    try {
      await this.#client.request({
        method: 'POST',
        path,
        body: eventObject({
          name,
          involved: { kind: status.kind, namespace: status.namespace, name: status.name, uid },
          type: 'Warning',
          reason: condition.reason,
          message: condition.message,
          instance: this.#instance,
          now,
        }),
      });
      this.#remember(name, 1);
      return true;
    } catch (error) {
      if (!isApiStatus(error, 409)) throw error;
      // Already recorded. If this process recorded it before, the rejection came back: bump it.
      const count = this.#counts.get(name);
      if (count === undefined) return false;
      await this.#client.request({
        method: 'PATCH',
        path: `${path}/${name}`,
        body: { count: count + 1, lastTimestamp: now },
        contentType: CONTENT_TYPE.mergePatch,
      });
      this.#remember(name, count + 1);
      return true;
    }
  }

  #remember(name: string, count: number): void {
    // Bounded: forgetting an old Event only means a recurrence is not counted on it.
    if (this.#counts.size >= 10_000) this.#counts.clear();
    this.#counts.set(name, count);
  }
}

/** What an Event says and about which Switchyard object. */
export interface EventSpec {
  /** The Event's name, derived from what it reports so that a repeat is a 409, not a duplicate. */
  name: string;
  involved: { kind: string; namespace: string; name: string; uid: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** reportingInstance: the operator replica's identity. */
  instance: string;
  /** metav1.Time of the occurrence. */
  now: string;
}

/** A core/v1 Event about a Switchyard object, as the operator records it (message cut at 1 KiB). */
export function eventObject(event: EventSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: event.name, namespace: event.involved.namespace },
    involvedObject: { apiVersion: API_VERSION, ...event.involved },
    type: event.type,
    reason: event.reason,
    message: event.message.slice(0, 1024),
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: event.instance,
    firstTimestamp: event.now,
    lastTimestamp: event.now,
    count: 1,
  };
}

/** A stable Event name for one rejection of one object. */
function eventName(status: ObjectStatus, uid: string, condition: ComputedCondition): string {
  const digest = createHash('sha256')
    .update(`${uid}\n${condition.type}\n${condition.reason}\n${condition.message}`)
    .digest('hex')
    .slice(0, 16);
  return `${status.name.slice(0, 200)}.${digest}`;
}
