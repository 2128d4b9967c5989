import { ROUTER_CONFIG_SCHEMA_VERSION, type RouterConfig } from '../config/router-config.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { sha256Hex } from '../util/sha256.ts';
import { compareText } from './object-id.ts';
import type { PolicyOutcome, ProviderOutcome } from './outcome.ts';
import { providerConfigOf } from './provider-config.ts';
import { routeConfigOf } from './route-config.ts';

/**
 * The RouterConfig of everything programmed: providers sorted by name, routes by alias (both
 * unique once conflicts are settled), and the hash of the result.
 */
export function assembleConfig(
  providers: readonly ProviderOutcome[],
  policies: readonly PolicyOutcome[],
): RouterConfig {
  const body: Omit<RouterConfig, 'configHash'> = {
    schemaVersion: ROUTER_CONFIG_SCHEMA_VERSION,
    providers: providers
      .flatMap((p) =>
        p.programmed && p.spec !== undefined ? [providerConfigOf(p.id, p.spec, p.models)] : [],
      )
      .sort((a, b) => compareText(a.name, b.name)),
    routes: policies
      .flatMap((p) =>
        p.programmed && p.spec !== undefined && p.resolution !== undefined
          ? [routeConfigOf(p.id, p.spec, p.resolution, p.experiment)]
          : [],
      )
      .sort((a, b) => compareText(a.alias, b.alias)),
  };
  return { ...body, configHash: configHashOf(body) };
}

/**
 * sha256 (hex) of the canonical JSON of a config without its `configHash`: what `configHash`
 * must be. Proxies may recompute it to check a config they received.
 */
export function configHashOf(
  config: Omit<RouterConfig, 'configHash'> & { configHash?: string },
): string {
  const { configHash: _ignored, ...body } = config;
  return sha256Hex(canonicalJson(body));
}
