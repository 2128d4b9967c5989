import { configHashOf } from '../compile/assemble-config.ts';
import { routerConfig, type RouterConfig } from './router-config.ts';

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
