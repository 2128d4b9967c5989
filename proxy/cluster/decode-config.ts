import { gunzipSync } from 'node:zlib';
import { parsePublishedConfig } from '../../core/config/published-config.ts';
import { CONFIG_KEYS } from './published-names.ts';

/** The largest config a proxy inflates; far above what a ConfigMap can carry gzipped. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** A ConfigMap as the watcher reads it. */
export interface ConfigMapLike {
  data?: Record<string, string> | undefined;
  binaryData?: Record<string, string> | undefined;
}

/**
 * The config a ConfigMap carries, parsed but not yet validated (ConfigStore.load validates it):
 * `config.json`, or gzip in `binaryData["config.json.gz"]`. Throws with a one-line reason when
 * the payload is missing, does not inflate or parse, or its configHash does not match its
 * content — a truncated or hand-edited config is refused rather than served.
 */
export function decodeConfig(configMap: ConfigMapLike): unknown {
  const json = configMap.data?.[CONFIG_KEYS.json];
  const gzipped = configMap.binaryData?.[CONFIG_KEYS.gzip];
  let text: string;
  if (json !== undefined) {
    text = json;
  } else if (gzipped !== undefined) {
    text = gunzipSync(Buffer.from(gzipped, 'base64'), {
      maxOutputLength: MAX_INFLATED_BYTES,
    }).toString('utf8');
  } else {
    throw new Error(`the ConfigMap has neither ${CONFIG_KEYS.json} nor ${CONFIG_KEYS.gzip}`);
  }
  return parsePublishedConfig(text);
}
