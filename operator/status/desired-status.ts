import type { Condition } from '../../core/api/common.ts';
import type { ModelPriceStatus } from '../../core/api/model-provider.ts';
import type { ObjectStatus } from '../../core/compile/status.ts';

/** The status subresource the operator writes for one object. */
export interface WrittenStatus {
  observedGeneration: number;
  conditions: Condition[];
  modelCount?: number;
  /** ModelProvider: the price in force of each model with a feedRef. */
  models?: ModelPriceStatus[];
}

/**
 * The status to write: compile()'s conditions, each stamped with the generation it was computed
 * from and a lastTransitionTime that moves only when the condition's status flips (cert-manager's
 * and metav1's rule). Reason and message updates keep the old time, so re-running an unchanged
 * reconcile yields byte-identical status and no write.
 */
export function desiredStatus(
  computed: ObjectStatus,
  existing: Partial<WrittenStatus> | undefined,
  now: string,
): WrittenStatus {
  const previous = new Map((existing?.conditions ?? []).map((c) => [c.type, c]));
  const conditions = computed.conditions.map((condition): Condition => {
    const before = previous.get(condition.type);
    const lastTransitionTime =
      before !== undefined && before.status === condition.status ? before.lastTransitionTime : now;
    return {
      type: condition.type,
      status: condition.status,
      reason: condition.reason,
      message: condition.message,
      lastTransitionTime,
      observedGeneration: computed.observedGeneration,
    };
  });
  return {
    observedGeneration: computed.observedGeneration,
    conditions,
    ...(computed.modelCount === undefined ? {} : { modelCount: computed.modelCount }),
    ...(computed.models === undefined ? {} : { models: computed.models }),
  };
}

/** Whether the stored status already says what `desired` says (compare-before-write). */
export function statusHolds(existing: unknown, desired: WrittenStatus): boolean {
  const stored = (existing ?? {}) as Partial<WrittenStatus>;
  if (stored.observedGeneration !== desired.observedGeneration) return false;
  if (stored.modelCount !== desired.modelCount) return false;
  if (JSON.stringify(stored.models) !== JSON.stringify(desired.models)) return false;
  const storedConditions = stored.conditions ?? [];
  if (storedConditions.length !== desired.conditions.length) return false;
  return desired.conditions.every((condition, index) => {
    const other = storedConditions[index];
    return (
      other !== undefined &&
      other.type === condition.type &&
      other.status === condition.status &&
      other.reason === condition.reason &&
      other.message === condition.message &&
      other.lastTransitionTime === condition.lastTransitionTime &&
      other.observedGeneration === condition.observedGeneration
    );
  });
}

/** The current time as Kubernetes writes metav1.Time: RFC 3339, whole seconds, UTC. */
export function kubeTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
