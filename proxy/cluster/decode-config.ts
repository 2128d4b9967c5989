import { gunzipSync } from 'node:zlib';
import {
  decodePublishedConfigMap,
  type PublishedConfigMap,
} from '../../core/config/published-config.ts';

/** The largest config a proxy inflates; far above what a ConfigMap can carry gzipped. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** A ConfigMap as the watcher reads it. */
export type ConfigMapLike = PublishedConfigMap;

/**
 * The config a ConfigMap carries, parsed and hash-checked but not yet validated (ConfigStore.load
 * validates it); throws with a one-line reason when it does not check out
 * (core/config/published-config.ts).
 */
export function decodeConfig(configMap: ConfigMapLike): unknown {
  return decodePublishedConfigMap(configMap, (base64) =>
    gunzipSync(Buffer.from(base64, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES }).toString(
      'utf8',
    ),
  );
}
