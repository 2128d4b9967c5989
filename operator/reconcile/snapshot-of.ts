import { priceFeedStatus } from '../../core/api/price-feed.ts';
import { DEFAULT_NAMESPACE } from '../../core/compile/object-id.ts';
import type { PriceFeedPrices, RawObject, Snapshot } from '../../core/compile/snapshot.ts';
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
  priceFeeds: readonly KubeObject[] = [],
): Snapshot {
  return {
    providers: providers.filter(isLive).map(rawObjectOf),
    policies: policies.filter(isLive).map(rawObjectOf),
    secrets: secrets.map((secret) => ({
      namespace: secret.namespace,
      name: secret.name,
      keys: [...secret.keys],
    })),
    priceFeeds: priceFeeds.filter(isLive).map(feedPricesOf),
  };
}

/**
 * The prices in force of a PriceFeed, from its status (written by the operator's own sync). A
 * status that does not parse counts as no prices: its models use spec.pricing.
 */
export function feedPricesOf(object: KubeObject): PriceFeedPrices {
  const parsed = priceFeedStatus.safeParse(object['status'] ?? {});
  return {
    namespace: object.metadata.namespace ?? DEFAULT_NAMESPACE,
    name: object.metadata.name,
    prices: parsed.success ? (parsed.data.prices ?? []) : [],
  };
}

/** Objects being deleted no longer count (they may linger while finalizers run). */
export function isLive(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp === undefined;
}

/** A custom resource as compile() reads it: the metadata it needs and the spec. */
export function rawObjectOf(object: KubeObject): RawObject {
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
