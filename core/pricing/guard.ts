import {
  CONTEXT_FIELDS,
  PRICE_FIELDS,
  type AppliedChange,
  type FeedField,
  type FeedPrice,
  type HeldChange,
  type RefusedChange,
} from '../api/price-feed.ts';
import { compareText } from '../compile/object-id.ts';
import type { FeedDocument } from './feed-document.ts';
import { INVALID } from './per-million.ts';
import type { TrackedModel } from './tracked-models.ts';

/** What the guard weighs: the values in force, the new document, and who follows which model. */
export interface GuardInput {
  /** status.prices: the values in force. */
  prices: readonly FeedPrice[];
  document: FeedDocument;
  /** The feed models some ModelProvider references, with that provider's static prices. */
  tracked: readonly TrackedModel[];
  maxChangeFactor: number;
  /** The sync's time, stamped on what changes (RFC 3339). */
  now: string;
}

/** What the guard decided. */
export interface GuardResult {
  /** The values in force after this sync, tracked models only, sorted by id. */
  prices: FeedPrice[];
  /** Changes applied by this sync. */
  applied: AppliedChange[];
  /** Changes held back for approval (every change of a model with one too-large move). */
  held: HeldChange[];
  /** Values never applied: zero, missing, invalid, or a model the feed stopped listing. */
  refused: RefusedChange[];
}

/**
 * Compares a feed document with the values in force, model by model, and applies what is safe:
 * a value moves unattended only when it stays within `maxChangeFactor` of the value in force (or,
 * for a model's first value, of the static price its ModelProviders declare, so a wrong id or a
 * feed typo cannot slip in as a "first" price). A model with one move beyond the factor keeps all
 * its values and holds every change for approval, so input and output prices never split. Zero,
 * missing and invalid values are refused and the value in force stays; a model the feed no longer
 * lists keeps its values. Pure: the same inputs give the same result.
 */
export function guardPrices(input: GuardInput): GuardResult {
  const inForce = new Map(input.prices.map((price) => [price.id, price]));
  const result: GuardResult = { prices: [], applied: [], held: [], refused: [] };
  const tracked = [...input.tracked].sort((a, b) => compareText(a.id, b.id));
  for (const model of tracked) {
    const current = inForce.get(model.id);
    const next = weighModel(model, current, input);
    result.refused.push(...next.refused);
    if (next.changes.length > 0 && next.tooLarge) {
      result.held.push(...next.changes);
    } else if (next.changes.length > 0) {
      const updated: FeedPrice = { ...(current ?? { id: model.id }), updatedAt: input.now };
      for (const change of next.changes) {
        updated[change.field] = change.to;
        result.applied.push(appliedOf(change, input.now));
      }
      result.prices.push(updated);
      continue;
    }
    if (current !== undefined) result.prices.push(current);
  }
  return result;
}

/** The fields a model follows: prices always, token limits when one of its providers opts in. */
export function followedFields(model: TrackedModel): readonly FeedField[] {
  return model.followContextWindow ? [...PRICE_FIELDS, ...CONTEXT_FIELDS] : PRICE_FIELDS;
}

interface ModelVerdict {
  changes: HeldChange[];
  tooLarge: boolean;
  refused: RefusedChange[];
}

function weighModel(
  model: TrackedModel,
  current: FeedPrice | undefined,
  input: GuardInput,
): ModelVerdict {
  const verdict: ModelVerdict = { changes: [], tooLarge: false, refused: [] };
  const listed = input.document.models.get(model.id);
  if (listed === undefined) {
    verdict.refused.push({ id: model.id, reason: 'NotListed' });
    return verdict;
  }
  for (const field of followedFields(model)) {
    const value = listed.values[field];
    const inForce = current?.[field];
    if (value === undefined) {
      if (inForce !== undefined) verdict.refused.push({ id: model.id, field, reason: 'Missing' });
    } else if (value === INVALID) {
      verdict.refused.push({ id: model.id, field, reason: 'Invalid' });
    } else if (value === 0) {
      verdict.refused.push({ id: model.id, field, reason: 'Zero' });
    } else if (value !== inForce) {
      const factor = changeFactor(
        value,
        inForce,
        model.baselines.map((b) => b[field]),
      );
      if (factor !== undefined && factor > input.maxChangeFactor) verdict.tooLarge = true;
      verdict.changes.push({
        id: model.id,
        field,
        ...(inForce === undefined ? {} : { from: inForce }),
        to: value,
        ...(factor === undefined ? {} : { factor: roundFactor(factor) }),
      });
    }
  }
  return verdict;
}

/**
 * How far a value moves: against the value in force, else the largest move against any static
 * price declared for it (undefined when there is nothing to compare with).
 */
function changeFactor(
  to: number,
  inForce: number | undefined,
  baselines: readonly (number | undefined)[],
): number | undefined {
  const against = inForce === undefined ? baselines : [inForce];
  const factors = against
    .filter((from): from is number => from !== undefined && from > 0)
    .map((from) => Math.max(to / from, from / to));
  return factors.length === 0 ? undefined : Math.max(...factors);
}

function roundFactor(factor: number): number {
  return Math.round(factor * 100) / 100;
}

function appliedOf(change: HeldChange, time: string): AppliedChange {
  const { factor: _factor, ...rest } = change;
  return { ...rest, time };
}

/**
 * Applies held changes as approved: each held value comes into force exactly as it was shown, and
 * is recorded as an approved change. Models absent from `prices` get an entry.
 */
export function applyApproved(
  prices: readonly FeedPrice[],
  held: readonly HeldChange[],
  now: string,
): { prices: FeedPrice[]; applied: AppliedChange[] } {
  const byId = new Map(prices.map((price) => [price.id, { ...price }]));
  const applied: AppliedChange[] = [];
  for (const change of held) {
    const entry = byId.get(change.id) ?? { id: change.id };
    entry[change.field] = change.to;
    entry.updatedAt = now;
    byId.set(change.id, entry);
    applied.push({ ...appliedOf(change, now), approved: true });
  }
  return { prices: [...byId.values()].sort((a, b) => compareText(a.id, b.id)), applied };
}
