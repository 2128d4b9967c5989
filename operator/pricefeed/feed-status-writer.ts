import { API_GROUP } from '../../core/api/common.ts';
import { priceFeedStatus, type PriceFeedStatus } from '../../core/api/price-feed.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { CRD_VERSION } from '../watch/sources.ts';

/** Every field of a PriceFeed's status, for the nulls a merge patch needs to remove one. */
const STATUS_FIELDS = Object.keys(priceFeedStatus.shape) as (keyof PriceFeedStatus)[];

/** The path of one PriceFeed. */
export function priceFeedPath(namespace: string, name: string): string {
  return `/apis/${API_GROUP}/${CRD_VERSION}/namespaces/${namespace}/pricefeeds/${name}`;
}

/**
 * Writes a PriceFeed's status from `compute(previous status)`, compare-before-write. The merge
 * patch carries the resourceVersion it was computed from; a 409 (the object changed, e.g. an
 * approval annotation arrived) reads the object again and recomputes, so what is written always
 * follows from what is stored. Returns what `compute` returned for the status written (or found
 * already in place), undefined when the object is gone.
 */
export async function writeFeedStatus<R extends { status: PriceFeedStatus }>(
  client: KubeClient,
  object: KubeObject,
  compute: (current: KubeObject) => R,
  maxAttempts = 5,
): Promise<R | undefined> {
  const { namespace = 'default', name } = object.metadata;
  let current: KubeObject | undefined = object;
  for (let attempt = 1; current !== undefined; attempt++) {
    const result = compute(current);
    if (sameStatus(current['status'], result.status)) return result;
    try {
      await client.request({
        method: 'PATCH',
        path: `${priceFeedPath(namespace, name)}/status`,
        body: {
          metadata: { resourceVersion: current.metadata.resourceVersion },
          status: withNulls(result.status),
        },
        contentType: CONTENT_TYPE.mergePatch,
      });
      return result;
    } catch (error) {
      if (isApiStatus(error, 404)) return undefined;
      if (!isApiStatus(error, 409) || attempt >= maxAttempts) throw error;
      current = await read(client, namespace, name);
    }
  }
  return undefined;
}

function sameStatus(stored: unknown, desired: PriceFeedStatus): boolean {
  return canonicalJson(stored ?? {}) === canonicalJson(desired);
}

/** A merge patch keeps fields it does not name: name the ones that must go, as null. */
function withNulls(status: PriceFeedStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...status };
  for (const field of STATUS_FIELDS) if (patch[field] === undefined) patch[field] = null;
  return patch;
}

async function read(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await client.request<KubeObject>({
      method: 'GET',
      path: priceFeedPath(namespace, name),
    });
  } catch (error) {
    if (isApiStatus(error, 404)) return undefined;
    throw error;
  }
}
