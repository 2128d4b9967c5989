import { gunzipSync } from 'node:zlib';
import {
  decodePublishedConfigMap,
  type PublishedConfigMap,
} from '../../core/config/published-config.ts';
import { routerConfig, type RouterConfig } from '../../core/config/router-config.ts';

/** The largest config inflated when read back; far above what a ConfigMap can carry gzipped. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** Inflates `config.json.gz` within the bound. */
export function inflateConfig(base64Gzip: string): string {
  return gunzipSync(Buffer.from(base64Gzip, 'base64'), {
    maxOutputLength: MAX_INFLATED_BYTES,
  }).toString('utf8');
}

/**
 * The RouterConfig the operator published earlier, read back from its ConfigMap (plain or
 * gzipped), or undefined when there is none or it does not check out. A restarted operator uses
 * it as the previous config, so policies serving their last accepted version keep doing so.
 */
export function publishedConfigOf(
  configMap: PublishedConfigMap | undefined,
): RouterConfig | undefined {
  if (configMap === undefined) return undefined;
  try {
    const result = routerConfig.safeParse(decodePublishedConfigMap(configMap, inflateConfig));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
