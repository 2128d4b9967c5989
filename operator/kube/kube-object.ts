/** The part of any Kubernetes object the operator reads without knowing its kind. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** A list answer of the API server. */
export interface KubeList<T = KubeObject> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** `namespace/name` of an object (`/name` for cluster-scoped ones). */
export function objectKey(object: { metadata: { name: string; namespace?: string } }): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
