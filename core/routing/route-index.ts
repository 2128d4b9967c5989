import type {
  ModelConfig,
  ProviderConfig,
  RouteConfig,
  RouterConfig,
} from '../config/router-config.ts';
import { compileLinear, LinearPatternSet, type LinearRegex } from '../regex/linear-regex.ts';

/** A provider/model pair with everything routing reads, resolved once per config. */
export interface ResolvedTarget {
  /** `provider/model`: the key for health, metrics and the receipt. */
  key: string;
  provider: ProviderConfig;
  model: ModelConfig;
  weight: number;
}

/**
 * A route with its regular expressions compiled (on the linear-time engine: a manifest pattern
 * cannot block the event loop) and its targets resolved.
 */
export interface IndexedRoute {
  config: RouteConfig;
  tiers: {
    name: string;
    strategy: RouteConfig['tiers'][number]['strategy'];
    targets: ResolvedTarget[];
  }[];
  rulePatterns: Map<string, LinearRegex[]>;
  /** The governance patterns as one set: every forwarded string is scanned once for all of them. */
  sensitivePatterns: LinearPatternSet;
}

/** Lookup tables over a RouterConfig, built once when a config is loaded. */
export interface RouteIndex {
  config: RouterConfig;
  routes: Map<string, IndexedRoute>;
  /** `provider/model` → target, for clients that name a concrete model. */
  targets: Map<string, ResolvedTarget>;
}

/** Builds the lookup tables; a config that passed `routerConfig` validation never throws here. */
export function buildRouteIndex(config: RouterConfig): RouteIndex {
  const targets = new Map<string, ResolvedTarget>();
  for (const provider of config.providers) {
    for (const model of provider.models) {
      const key = `${provider.name}/${model.name}`;
      targets.set(key, { key, provider, model, weight: 1 });
    }
  }
  const routes = new Map<string, IndexedRoute>();
  for (const route of config.routes) {
    const tiers = route.tiers.map((tier) => ({
      name: tier.name,
      strategy: tier.strategy,
      targets: tier.targets.flatMap((t) => {
        const found = targets.get(`${t.provider}/${t.model}`);
        return found === undefined ? [] : [{ ...found, weight: t.weight }];
      }),
    }));
    const rulePatterns = new Map<string, LinearRegex[]>();
    for (const rule of route.classification.rules) {
      rulePatterns.set(
        rule.name,
        (rule.match.patterns ?? []).map((p) => compileLinear(p)),
      );
    }
    const sensitivePatterns = new LinearPatternSet(route.governance?.sensitive.patterns ?? []);
    routes.set(route.alias, { config: route, tiers, rulePatterns, sensitivePatterns });
  }
  return { config, routes, targets };
}
