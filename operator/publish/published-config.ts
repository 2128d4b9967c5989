import { gunzipSync } from 'node:zlib';
import { readPublishedConfig } from '../../core/config/published-config.ts';
import type { RouterConfig } from '../../core/config/router-config.ts';
import { CONFIG_KEYS } from './output-names.ts';

/** The largest config inflated when read back; far above what a ConfigMap can carry gzipped. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/**
 * The RouterConfig the operator published earlier, read back from its ConfigMap (plain or
 * gzipped), or undefined when there is none or it does not check out. A restarted operator uses
 * it as the previous config, so policies serving their last accepted version keep doing so.
 */
export function publishedConfigOf(
  configMap: { data?: Record<string, string>; binaryData?: Record<string, string> } | undefined,
): RouterConfig | undefined {
  if (configMap === undefined) return undefined;
  const json = configMap.data?.[CONFIG_KEYS.json];
  const gzipped = configMap.binaryData?.[CONFIG_KEYS.gzip];
  try {
    const text =
      json ??
      (gzipped === undefined
        ? undefined
        : gunzipSync(Buffer.from(gzipped, 'base64'), {
            maxOutputLength: MAX_INFLATED_BYTES,
          }).toString('utf8'));
    return text === undefined ? undefined : readPublishedConfig(text);
  } catch {
    return undefined;
  }
}
