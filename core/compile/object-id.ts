import type { RawObject } from './snapshot.ts';

/** The namespace of an object that names none, as kubectl assumes. */
export const DEFAULT_NAMESPACE = 'default';

/** The two kinds compile() reads and reports on. */
export type ObjectKind = 'ModelProvider' | 'RoutePolicy';

/** Who an object is: everything status and conflict resolution need, nothing from the spec. */
export interface ObjectId {
  kind: ObjectKind;
  namespace: string;
  name: string;
  /** metadata.generation, 0 when absent (objects read from files have none). */
  generation: number;
  /** metadata.creationTimestamp, undefined for objects not stored yet. */
  createdAt: string | undefined;
}

/** The fields that name an object uniquely. */
export type ObjectKey = Pick<ObjectId, 'kind' | 'namespace' | 'name'>;

/** The identity of a raw object; a missing namespace means `default`. */
export function objectIdOf(kind: ObjectKind, raw: RawObject): ObjectId {
  return {
    kind,
    namespace: raw.metadata.namespace ?? DEFAULT_NAMESPACE,
    name: raw.metadata.name,
    generation: raw.metadata.generation ?? 0,
    createdAt: raw.metadata.creationTimestamp,
  };
}

/** `namespace/name`: the key of an object within its kind. */
export function namespacedName(id: { namespace: string; name: string }): string {
  return `${id.namespace}/${id.name}`;
}

/** `Kind namespace/name`, the way messages name an object. */
export function objectLabel(id: { kind: string; namespace: string; name: string }): string {
  return `${id.kind} ${namespacedName(id)}`;
}

/**
 * Orders objects oldest first, then by namespace and name: the order in which conflicting claims
 * are granted (Gateway API's rule). An object without a creationTimestamp counts as newest, since
 * it has not been stored yet.
 */
export function compareAge(a: ObjectId, b: ObjectId): number {
  const byTime = creationMillis(a) - creationMillis(b);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

/** Orders objects by kind, namespace and name: the order of statuses. */
export function compareIds(a: ObjectKey, b: ObjectKey): number {
  return (
    compareText(a.kind, b.kind) ||
    compareText(a.namespace, b.namespace) ||
    compareText(a.name, b.name)
  );
}

/** Compares strings by UTF-16 code units, independent of any locale. */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function creationMillis(id: ObjectId): number {
  if (id.createdAt === undefined) return Number.POSITIVE_INFINITY;
  const millis = Date.parse(id.createdAt);
  return Number.isNaN(millis) ? Number.POSITIVE_INFINITY : millis;
}
