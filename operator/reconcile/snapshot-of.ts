import type { RawObject, Snapshot } from '../../core/compile/snapshot.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { SecretEntry } from '../watch/secret-entry.ts';

/**
 * The compile() input from the watch caches: custom resources with the metadata compile() reads,
 * and Secrets as key names only — the values the operator keeps never enter the snapshot.
 */
export function snapshotOf(
  providers: readonly KubeObject[],
  policies: readonly KubeObject[],
  secrets: readonly SecretEntry[],
): Snapshot {
  return {
    providers: providers.filter(isLive).map(rawObjectOf),
    policies: policies.filter(isLive).map(rawObjectOf),
    secrets: secrets.map((secret) => ({
      namespace: secret.namespace,
      name: secret.name,
      keys: [...secret.keys],
    })),
  };
}

/** Objects being deleted no longer count (they may linger while finalizers run). */
function isLive(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp === undefined;
}

function rawObjectOf(object: KubeObject): RawObject {
  const { name, namespace, generation, creationTimestamp, uid } = object.metadata;
  return {
    ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
    ...(object.kind === undefined ? {} : { kind: object.kind }),
    metadata: {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      ...(generation === undefined ? {} : { generation }),
      ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
      ...(uid === undefined ? {} : { uid }),
    },
    spec: object['spec'],
  };
}
