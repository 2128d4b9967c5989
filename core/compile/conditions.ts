import { CONDITION_TYPES, type ConditionType } from '../api/common.ts';
import type { Findings } from './check.ts';
import type { ObjectId } from './object-id.ts';
import type { ComputedCondition, ObjectStatus } from './status.ts';

/** What each condition says when it holds; Programmed's message carries the config hash. */
export type SuccessMessages = Record<ConditionType, string>;

/** The reason a condition gives when it holds: its own type name, as Gateway API does. */
const SUCCESS_REASONS = {
  Accepted: 'Accepted',
  ResolvedRefs: 'ResolvedRefs',
  Programmed: 'Programmed',
} as const satisfies Record<ConditionType, ComputedCondition['reason']>;

/**
 * The status of one object: a condition per type, False with the finding's reason where a check
 * failed, True otherwise. ResolvedRefs is left out when the spec did not parse, since its
 * references could not even be read.
 */
export function statusOf(
  id: ObjectId,
  findings: Findings,
  successes: SuccessMessages,
  specParsed: boolean,
): ObjectStatus {
  const conditions: ComputedCondition[] = [];
  for (const type of CONDITION_TYPES) {
    const finding = findings[type];
    if (finding !== undefined) {
      conditions.push({ type, status: 'False', reason: finding.reason, message: finding.message });
    } else if (type !== 'ResolvedRefs' || specParsed) {
      conditions.push({
        type,
        status: 'True',
        reason: SUCCESS_REASONS[type],
        message: successes[type],
      });
    }
  }
  return {
    kind: id.kind,
    namespace: id.namespace,
    name: id.name,
    observedGeneration: id.generation,
    conditions,
  };
}
