import { createHash } from 'node:crypto';
import {
  APPROVE_PRICES_ANNOTATION,
  type AppliedChange,
  type HeldChange,
} from '../../core/api/price-feed.ts';
import { eventObject } from '../events/event-recorder.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';

/** The PriceFeed an Event is about. */
export interface FeedRef {
  namespace: string;
  name: string;
  uid: string;
}

/** One Event to record about a feed. */
interface FeedEvent {
  type: 'Normal' | 'Warning';
  reason: 'PriceChanged' | 'PriceChangeHeld' | 'SyncFailed';
  message: string;
  /** What makes this Event unique; the same key is recorded once (a 409 afterwards). */
  key: string;
}

/** The Events of one sync step. */
export interface FeedEventInput {
  applied: readonly AppliedChange[];
  newlyHeld: readonly HeldChange[];
  /** The held set's digest, for the approval line. */
  digest: string | undefined;
  maxChangeFactor: number;
  /** The Synced condition's reason and message when this step's fetch newly failed. */
  failure: { reason: string; message: string } | undefined;
  /** The sync's time, which makes each PriceChanged Event its own. */
  now: string;
}

/**
 * The Events of one sync step: one PriceChanged per model whose price moved (old → new, each
 * field), one PriceChangeHeld per model newly held back (with the kubectl line that approves it),
 * and one SyncFailed when the feed starts failing. Messages carry prices, ids and reasons only.
 */
export function feedEvents(feed: FeedRef, input: FeedEventInput): FeedEvent[] {
  const events: FeedEvent[] = [];
  for (const [id, changes] of byModel(input.applied)) {
    const approved = changes.some((change) => change.approved === true);
    events.push({
      type: 'Normal',
      reason: 'PriceChanged',
      message: `${id}: ${changes.map(describeChange).join(', ')}${approved ? ' (approved)' : ''}`,
      key: `changed\n${id}\n${JSON.stringify(changes)}\n${input.now}`,
    });
  }
  for (const [id, changes] of byModel(input.newlyHeld)) {
    const approve =
      input.digest === undefined
        ? ''
        : `; to apply, run: kubectl annotate pricefeed ${feed.name} -n ${feed.namespace} ${APPROVE_PRICES_ANNOTATION}=${input.digest} --overwrite`;
    events.push({
      type: 'Warning',
      reason: 'PriceChangeHeld',
      message: `${id}: ${changes.map(describeChange).join(', ')} moves by more than maxChangeFactor ${input.maxChangeFactor}; held for approval${approve}`,
      key: `held\n${id}\n${input.digest ?? ''}\n${JSON.stringify(changes)}`,
    });
  }
  if (input.failure !== undefined) {
    events.push({
      type: 'Warning',
      reason: 'SyncFailed',
      message: `${input.failure.reason}: ${input.failure.message}`,
      key: `failed\n${input.failure.reason}\n${input.now}`,
    });
  }
  return events;
}

/** Records Events; returns how many were created and the first error (Events are best effort). */
export async function recordFeedEvents(
  client: KubeClient,
  feed: FeedRef,
  events: readonly FeedEvent[],
  instance: string,
  now: string,
): Promise<{ emitted: number; firstError: unknown }> {
  let emitted = 0;
  let firstError: unknown;
  for (const event of events) {
    const digest = createHash('sha256').update(`${feed.uid}\n${event.key}`).digest('hex');
    try {
      await client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${feed.namespace}/events`,
        body: eventObject({
          name: `${feed.name.slice(0, 200)}.${digest.slice(0, 16)}`,
          involved: { kind: 'PriceFeed', ...feed },
          type: event.type,
          reason: event.reason,
          message: event.message,
          instance,
          now,
        }),
      });
      emitted++;
    } catch (error) {
      if (!isApiStatus(error, 409)) firstError ??= error;
    }
  }
  return { emitted, firstError };
}

function byModel<T extends { id: string }>(changes: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const change of changes) out.set(change.id, [...(out.get(change.id) ?? []), change]);
  return out;
}

function describeChange(change: { field: string; from?: number | undefined; to: number }): string {
  const unit = change.field.endsWith('PerMillion') ? ' USD' : '';
  return `${change.field} ${change.from ?? '(spec)'} → ${change.to}${unit}`;
}
