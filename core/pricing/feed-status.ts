import type { Condition } from '../api/common.ts';
import {
  APPROVE_PRICES_ANNOTATION,
  type AppliedChange,
  type FeedPrice,
  type HeldChange,
  type PriceFeedSpec,
  type PriceFeedStatus,
  type RefusedChange,
} from '../api/price-feed.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { sha256Hex } from '../util/sha256.ts';
import type { FeedDocument } from './feed-document.ts';
import type { PriceFeedReason, SyncFailureReason } from './feed-reasons.ts';
import { applyApproved, guardPrices } from './guard.ts';
import type { TrackedModel } from './tracked-models.ts';

/** How many applied changes status keeps. */
export const APPLIED_HISTORY = 50;
/** How many refused values status lists (status.refusedChanges maxItems). */
const MAX_REFUSED = 1000;

/** What this round of a feed's sync got. */
export type SyncOutcome =
  /** A fetch returned a document (or 304 Not Modified, with the document kept from before). */
  | { kind: 'fetched'; document: FeedDocument; notModified: boolean }
  /** No fetch: the document read earlier is weighed again (references or an approval changed). */
  | { kind: 'reused'; document: FeedDocument }
  /** No document to weigh: the fetch failed, or no fetch ran and nothing was read before. */
  | { kind: 'failed'; reason: SyncFailureReason; message: string }
  | { kind: 'none' };

/** Everything one step of a feed's sync depends on. */
export interface FeedSyncInput {
  namespace: string;
  name: string;
  generation: number;
  /** The spec's guard and format (defaults when the spec is invalid). */
  spec: Pick<PriceFeedSpec, 'maxChangeFactor' | 'format'>;
  /** The value of the switchyard.dev/approve-prices annotation, if any. */
  approval: string | undefined;
  previous: PriceFeedStatus | undefined;
  outcome: SyncOutcome;
  tracked: readonly TrackedModel[];
  /** This step's time (RFC 3339, whole seconds). */
  now: string;
  /** When the next fetch is due, for status. */
  nextSyncTime: string | undefined;
}

/** The new status and what changed, for Events and metrics. */
export interface FeedSyncResult {
  status: PriceFeedStatus;
  /** Changes applied in this step, approved ones included. */
  applied: AppliedChange[];
  /** Held changes that were not held (with the same value) before this step. */
  newlyHeld: HeldChange[];
  /** True when this step's fetch failed and the one before did not. */
  newlyFailed: boolean;
}

/**
 * One step of a PriceFeed's sync, pure: applies an approval that matches the held changes, weighs
 * a document (new or kept) with the guard, keeps everything as it was when there is no document,
 * and writes the conditions. Only models that some ModelProvider references are kept in
 * `status.prices`. The operator does the I/O around it and writes the result.
 */
export function nextFeedStatus(input: FeedSyncInput): FeedSyncResult {
  const previous = input.previous ?? {};
  const trackedIds = new Set(input.tracked.map((model) => model.id));
  let prices: FeedPrice[] = (previous.prices ?? []).filter((price) => trackedIds.has(price.id));
  let held = previous.heldChanges ?? [];
  let refused: RefusedChange[] = (previous.refusedChanges ?? []).filter((r) =>
    trackedIds.has(r.id),
  );
  const applied: AppliedChange[] = [];

  const digest = previous.heldChangesDigest;
  if (held.length > 0 && digest !== undefined && input.approval === digest) {
    const approved = applyApproved(prices, held, input.now);
    prices = approved.prices.filter((price) => trackedIds.has(price.id));
    applied.push(...approved.applied);
    held = [];
  }
  held = held.filter((change) => trackedIds.has(change.id));

  const document = documentOf(input.outcome);
  if (document !== undefined) {
    const guarded = guardPrices({
      prices,
      document,
      tracked: input.tracked,
      maxChangeFactor: input.spec.maxChangeFactor,
      now: input.now,
    });
    prices = guarded.prices;
    applied.push(...guarded.applied);
    held = guarded.held;
    refused = guarded.refused;
  }

  const heldState = heldStateOf(held, previous, input.now);
  const status = buildStatus(input, previous, { prices, held, refused, applied, heldState });
  const before = new Set((previous.heldChanges ?? []).map(changeKey));
  const failedBefore = conditionIs(previous, 'Synced', 'False');
  return {
    status,
    applied,
    newlyHeld: held.filter((change) => !before.has(changeKey(change))),
    newlyFailed: input.outcome.kind === 'failed' && !failedBefore,
  };
}

function documentOf(outcome: SyncOutcome): FeedDocument | undefined {
  return outcome.kind === 'fetched' || outcome.kind === 'reused' ? outcome.document : undefined;
}

interface HeldState {
  digest: string | undefined;
  since: string | undefined;
}

/**
 * The digest of the held set: the same changes keep the digest they were first shown with; a
 * different set gets a new one. The time the set was first seen is part of the digest, so the
 * same changes held again later need a new approval.
 */
function heldStateOf(
  held: readonly HeldChange[],
  previous: PriceFeedStatus,
  now: string,
): HeldState {
  if (held.length === 0) return { digest: undefined, since: undefined };
  const same = canonicalJson(held) === canonicalJson(previous.heldChanges ?? []);
  if (same && previous.heldChangesDigest !== undefined && previous.heldSince !== undefined) {
    return { digest: previous.heldChangesDigest, since: previous.heldSince };
  }
  return { digest: sha256Hex(canonicalJson({ held, since: now })).slice(0, 16), since: now };
}

interface Outcome {
  prices: FeedPrice[];
  held: HeldChange[];
  refused: RefusedChange[];
  applied: AppliedChange[];
  heldState: HeldState;
}

function buildStatus(
  input: FeedSyncInput,
  previous: PriceFeedStatus,
  outcome: Outcome,
): PriceFeedStatus {
  const { outcome: sync, now } = input;
  const fetched = sync.kind === 'fetched';
  const lastSyncTime = fetched ? now : previous.lastSyncTime;
  const lastError =
    sync.kind === 'failed'
      ? { time: now, reason: sync.reason, message: sync.message }
      : previous.lastError;
  const modelCount = fetched ? sync.document.models.size : previous.modelCount;
  const history = [...outcome.applied, ...(previous.appliedChanges ?? [])].slice(
    0,
    APPLIED_HISTORY,
  );
  const conditions = [
    syncedCondition(input, previous),
    pricesAppliedCondition(input, outcome, lastSyncTime),
  ].map((condition) => stamp(condition, previous, now, input.generation));
  const status: PriceFeedStatus = {
    observedGeneration: input.generation,
    conditions,
    ...(lastSyncTime === undefined ? {} : { lastSyncTime }),
    lastAttemptTime:
      sync.kind === 'fetched' || sync.kind === 'failed' ? now : (previous.lastAttemptTime ?? now),
    ...(input.nextSyncTime === undefined ? {} : { nextSyncTime: input.nextSyncTime }),
    ...(lastError === undefined ? {} : { lastError }),
    ...(modelCount === undefined ? {} : { modelCount }),
    prices: outcome.prices,
    appliedChanges: history,
    heldChanges: outcome.held,
    ...(outcome.heldState.digest === undefined
      ? {}
      : { heldChangesDigest: outcome.heldState.digest, heldSince: outcome.heldState.since }),
    // Informational, and bounded by the CRD: the first ones say enough.
    refusedChanges: outcome.refused.slice(0, MAX_REFUSED),
  };
  return status;
}

type ComputedCondition = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'> & {
  reason: PriceFeedReason;
};

function syncedCondition(input: FeedSyncInput, previous: PriceFeedStatus): ComputedCondition {
  const sync = input.outcome;
  if (sync.kind === 'failed') {
    return {
      type: 'Synced',
      status: 'False',
      reason: sync.reason,
      message: `${sync.message}; nothing changed: the prices in force stay`,
    };
  }
  if (sync.kind === 'fetched') {
    const { models, skipped } = sync.document;
    const parts = [`read ${models.size} models (${input.spec.format})`];
    if (skipped > 0) parts.push(`${skipped} unreadable entries skipped`);
    parts.push(`${input.tracked.length} referenced by ModelProviders`);
    if (sync.notModified) parts.push('not modified since the last fetch');
    return { type: 'Synced', status: 'True', reason: 'Synced', message: parts.join('; ') };
  }
  const kept = previous.conditions?.find((c) => c.type === 'Synced');
  if (kept !== undefined) {
    return {
      type: 'Synced',
      status: kept.status,
      reason: kept.reason as PriceFeedReason,
      message: kept.message,
    };
  }
  return { type: 'Synced', status: 'Unknown', reason: 'NotSynced', message: 'not fetched yet' };
}

function pricesAppliedCondition(
  input: FeedSyncInput,
  outcome: Outcome,
  lastSyncTime: string | undefined,
): ComputedCondition {
  const factor = input.spec.maxChangeFactor;
  const { held, heldState } = outcome;
  if (held.length > 0 && heldState.digest !== undefined) {
    const models = new Set(held.map((change) => change.id)).size;
    const stale =
      input.approval !== undefined && input.approval !== heldState.digest
        ? ` (the ${APPROVE_PRICES_ANNOTATION} annotation holds "${input.approval.slice(0, 64)}", which approves an earlier set)`
        : '';
    return {
      type: 'PricesApplied',
      status: 'False',
      reason: 'ChangesHeld',
      message:
        `${held.length === 1 ? '1 change' : `${held.length} changes`} of ${models === 1 ? '1 model' : `${models} models`} ${held.length === 1 ? 'moves' : 'move'} by more than maxChangeFactor ${factor} and ${held.length === 1 ? 'waits' : 'wait'} in status.heldChanges${stale}; ` +
        `to apply exactly these, run: kubectl annotate pricefeed ${input.name} -n ${input.namespace} ${APPROVE_PRICES_ANNOTATION}=${heldState.digest} --overwrite`,
    };
  }
  if (lastSyncTime === undefined) {
    return {
      type: 'PricesApplied',
      status: 'Unknown',
      reason: 'NotSynced',
      message: 'no sync has succeeded yet: models that reference this feed use their spec.pricing',
    };
  }
  const refused = outcome.refused.length;
  return {
    type: 'PricesApplied',
    status: 'True',
    reason: 'Applied',
    message:
      `${outcome.prices.length} of ${input.tracked.length} referenced models have a price in force from this feed; every change within maxChangeFactor ${factor} is applied` +
      (refused === 0 ? '' : `; ${refused} values refused (status.refusedChanges)`),
  };
}

/** A condition with lastTransitionTime kept while its status holds (metav1's rule). */
function stamp(
  condition: ComputedCondition,
  previous: PriceFeedStatus,
  now: string,
  generation: number,
): Condition {
  const before = previous.conditions?.find((c) => c.type === condition.type);
  const lastTransitionTime =
    before !== undefined && before.status === condition.status ? before.lastTransitionTime : now;
  return { ...condition, lastTransitionTime, observedGeneration: generation };
}

function conditionIs(status: PriceFeedStatus, type: string, value: string): boolean {
  return status.conditions?.some((c) => c.type === type && c.status === value) === true;
}

function changeKey(change: HeldChange): string {
  return `${change.id}\n${change.field}\n${change.to}`;
}
