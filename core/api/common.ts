import { z } from 'zod';
import type { MapKeyRule } from './schema-kit.ts';

/** The API group and version of every Switchyard kind. */
export const API_GROUP = 'switchyard.dev';
/** The served and stored version. */
export const API_VERSION = `${API_GROUP}/v1alpha1`;

/** A DNS-1123 label, as Kubernetes names and our tier names use. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A model or alias name: letters, digits, `.`, `_`, `:`, `-`; no `/`, which separates provider and model. */
export const MODEL_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$';

/** A Kubernetes object name (DNS-1123 subdomain). */
export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);

/** HTTP header names as map keys: 1 to 128 letters, digits or `-` (checked by CEL and zod alike). */
export const headerNameKey: MapKeyRule = {
  rule: "size(k) <= 128 && k.matches('^[A-Za-z0-9-]+$')",
  message: "header names must be 1 to 128 letters, digits or '-'",
  holds: (key) => key.length <= 128 && /^[A-Za-z0-9-]+$/.test(key),
};

/** The part of ObjectMeta that Switchyard reads; everything else passes through untouched. */
export const objectMeta = z.looseObject({
  name: objectName,
  namespace: objectName.max(63).optional(),
  uid: z.string().optional(),
  generation: z.int().min(0).optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** ObjectMeta as Switchyard reads it. */
export type ObjectMeta = z.output<typeof objectMeta>;

/** The three condition types every Switchyard object reports. */
export const CONDITION_TYPES = ['Accepted', 'ResolvedRefs', 'Programmed'] as const;
/** A condition type. */
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** A Kubernetes-style condition (metav1.Condition). */
export const condition = z
  .strictObject({
    type: z
      .string()
      .min(1)
      .max(316)
      .meta({ description: 'type of the condition: Accepted, ResolvedRefs or Programmed.' }),
    status: z
      .enum(['True', 'False', 'Unknown'])
      .meta({ description: 'status of the condition: True, False or Unknown.' }),
    reason: z.string().min(1).max(1024).meta({
      description: 'reason is a CamelCase constant for the last transition, e.g. ProviderNotFound.',
    }),
    message: z
      .string()
      .max(32768)
      .meta({ description: 'message says what happened and what to fix.' }),
    lastTransitionTime: z.string().meta({
      description: 'lastTransitionTime is when the status last changed (RFC 3339).',
      format: 'date-time',
    }),
    observedGeneration: z.int().min(0).optional().meta({
      description:
        'observedGeneration is the .metadata.generation the condition was computed from.',
    }),
  })
  .meta({
    description: "A condition: one aspect of the object's state, as the operator last saw it.",
  });
/** A condition as stored in status. */
export type Condition = z.output<typeof condition>;

/** Status fields shared by both kinds. */
export const commonStatusShape = {
  observedGeneration: z.int().min(0).optional().meta({
    description: 'observedGeneration is the .metadata.generation the operator last processed.',
  }),
  conditions: z
    .array(condition)
    .max(8)
    .optional()
    .meta({
      description:
        'conditions: Accepted (spec valid, not conflicted), ResolvedRefs (every reference resolves) and Programmed (served by the proxies).',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
};

/** A reference from a RoutePolicy to one model of one ModelProvider in the same namespace. */
export const targetRef = z.strictObject({
  provider: objectName
    .max(63)
    .meta({ description: 'provider is the name of a ModelProvider in the same namespace.' }),
  model: z
    .string()
    .min(1)
    .max(128)
    .regex(new RegExp(MODEL_NAME_PATTERN))
    .meta({ description: "model is the name of one of that provider's spec.models." }),
});
/** A provider/model reference. */
export type TargetRef = z.output<typeof targetRef>;
