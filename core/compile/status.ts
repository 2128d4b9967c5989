import type { ConditionType } from '../api/common.ts';
import type { ModelPriceStatus } from '../api/model-provider.ts';

/**
 * Reasons are CamelCase constants, stable for alerts and scripts. Each condition type has its
 * "all good" reason (Accepted, ResolvedRefs, Programmed) and a set of failure reasons.
 */
export const REASONS = {
  Accepted: ['Accepted', 'InvalidSpec', 'Conflicted', 'InvalidPattern', 'PoolUnsatisfiable'],
  ResolvedRefs: [
    'ResolvedRefs',
    'ProviderNotFound',
    'ModelNotFound',
    'SecretNotFound',
    'SecretKeyNotFound',
    'ProviderNotProgrammed',
    'CapabilityMissing',
    'VariantNotFound',
    'VariantNotProgrammed',
  ],
  Programmed: [
    'Programmed',
    'LastKnownGood',
    'NotAccepted',
    'NoResolvedTargets',
    'RefsNotResolved',
  ],
} as const satisfies Record<ConditionType, readonly string[]>;

/** A reason for a condition. */
export type Reason = (typeof REASONS)[ConditionType][number];

/** A condition as compile() computes it; the operator adds lastTransitionTime. */
export interface ComputedCondition {
  type: ConditionType;
  status: 'True' | 'False';
  reason: Reason;
  message: string;
}

/** The status compile() computes for one object. */
export interface ObjectStatus {
  kind: 'ModelProvider' | 'RoutePolicy';
  namespace: string;
  name: string;
  /** metadata.generation the status was computed from (0 when unknown). */
  observedGeneration: number;
  conditions: ComputedCondition[];
  /** ModelProvider only: number of models (a printer column). */
  modelCount?: number;
  /** ModelProvider only: the price in force of each model with a feedRef, and its source. */
  models?: ModelPriceStatus[];
}
