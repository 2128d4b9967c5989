import { configHashOf } from '../compile/assemble-config.ts';
import { CONFIG_KEYS } from './published-names.ts';
import { routerConfig, type RouterConfig } from './router-config.ts';

/** A ConfigMap as both sides see it. */
export interface PublishedConfigMap {
  data?: Record<string, string> | undefined;
  binaryData?: Record<string, string> | undefined;
}

/**
 * Inflates the base64 gzip payload of `config.json.gz` into JSON text. Injected (core does no
 * I/O and has no zlib); each side bounds the inflated size.
 */
export type Inflate = (base64Gzip: string) => string;

/**
 * The config a published ConfigMap carries, parsed and hash-checked but not yet validated:
 * `config.json`, or gzip in `binaryData["config.json.gz"]`. Throws with a one-line reason when
 * the payload is missing, does not inflate or parse, or its configHash does not match its
 * content — a truncated or hand-edited config is refused rather than served.
 */
export function decodePublishedConfigMap(configMap: PublishedConfigMap, inflate: Inflate): unknown {
  const json = configMap.data?.[CONFIG_KEYS.json];
  const gzipped = configMap.binaryData?.[CONFIG_KEYS.gzip];
  if (json !== undefined) return parsePublishedConfig(json);
  if (gzipped !== undefined) return parsePublishedConfig(inflate(gzipped));
  throw new Error(`the ConfigMap has neither ${CONFIG_KEYS.json} nor ${CONFIG_KEYS.gzip}`);
}

/**
 * Parses the JSON text of a published config and checks that its `configHash` matches its
 * content, so a truncated or hand-edited config is refused rather than trusted. Returns the parsed
 * value unvalidated (callers validate with `routerConfig`, or use `readPublishedConfig`).
 */
export function parsePublishedConfig(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  const claimed = (parsed as { configHash?: unknown } | null)?.configHash;
  if (typeof claimed === 'string' && configHashOf(parsed as RouterConfig) !== claimed) {
    throw new Error(`configHash ${claimed.slice(0, 12)} does not match the config's content`);
  }
  return parsed;
}

/** A published config, parsed, hash-checked and validated; undefined when any check fails. */
export function readPublishedConfig(text: string): RouterConfig | undefined {
  try {
    const result = routerConfig.safeParse(parsePublishedConfig(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
