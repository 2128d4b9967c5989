import { gzipSync } from 'node:zlib';
import {
  ROUTER_CONFIG_SCHEMA_VERSION,
  type RouterConfig,
} from '../../core/config/router-config.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { ANNOTATIONS, CONFIG_KEYS, CONFIG_MAP_NAME, PUBLISHED_LABELS } from './output-names.ts';

/**
 * Above this many bytes of JSON the config is stored gzipped in `binaryData`. A ConfigMap holds
 * at most 1 MiB; half of that keeps room for growth and keeps watch events small.
 */
export const DEFAULT_COMPRESS_ABOVE_BYTES = 512 * 1024;

/** The largest ConfigMap the API server stores (data plus binaryData). */
export const CONFIG_MAP_LIMIT_BYTES = 1024 * 1024;

/**
 * The ConfigMap that carries the RouterConfig to the proxies, as an apply configuration: only
 * the fields the operator owns. Canonical JSON, so equal configs give equal bytes; gzip output
 * is deterministic too (zlib writes no timestamp), so an unchanged config is never rewritten.
 */
export function configMapFor(
  config: RouterConfig,
  namespace: string,
  compressAboveBytes: number = DEFAULT_COMPRESS_ABOVE_BYTES,
): KubeObject {
  const json = canonicalJson(config);
  const compress = Buffer.byteLength(json) > compressAboveBytes;
  const gzipped = compress ? gzipSync(json, { level: 9 }) : undefined;
  const payload =
    gzipped === undefined
      ? { data: { [CONFIG_KEYS.json]: json } }
      : { binaryData: { [CONFIG_KEYS.gzip]: gzipped.toString('base64') } };
  const size = gzipped?.length ?? Buffer.byteLength(json);
  if (size > CONFIG_MAP_LIMIT_BYTES - 16 * 1024) {
    throw new Error(
      `the compiled config is ${size} bytes${compress ? ' gzipped' : ''}, more than a ConfigMap holds`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: CONFIG_MAP_NAME,
      namespace,
      labels: { ...PUBLISHED_LABELS },
      annotations: {
        [ANNOTATIONS.configHash]: config.configHash,
        [ANNOTATIONS.schemaVersion]: String(ROUTER_CONFIG_SCHEMA_VERSION),
        [ANNOTATIONS.encoding]: compress ? 'gzip+base64' : 'json',
      },
    },
    ...payload,
  };
}
