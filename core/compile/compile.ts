import type { RouterConfig } from '../config/router-config.ts';
import { assembleConfig } from './assemble-config.ts';
import { distinctObjects } from './distinct-objects.ts';
import { indexFeedPrices } from './effective-prices.ts';
import { evaluatePolicies } from './evaluate-policies.ts';
import { evaluateProviders, providerDirectory } from './evaluate-providers.ts';
import { compareIds } from './object-id.ts';
import { policyStatus, providerStatus } from './object-statuses.ts';
import { indexSecrets } from './secret-index.ts';
import { keepLastKnownGood } from './last-known-good.ts';
import type { Snapshot } from './snapshot.ts';
import type { ObjectStatus } from './status.ts';

/** The config every proxy serves, and the status of every object it was compiled from. */
export interface CompileResult {
  config: RouterConfig;
  /** One per ModelProvider and RoutePolicy, sorted by kind, namespace and name. */
  statuses: ObjectStatus[];
}

/**
 * Compiles a snapshot of ModelProviders, RoutePolicies and Secret key names into the RouterConfig
 * and every object's status, Envoy Gateway's Translate() for Switchyard. Pure and deterministic:
 * the same objects in any order give the same bytes and the same configHash; no clock, no I/O,
 * and no Secret value (the snapshot holds key names only). Models whose pricing has a feedRef
 * get the PriceFeed's applied price from the snapshot (the operator's sync put it there).
 *
 * Order of evaluation: providers first (spec, name claims, Secret references), then policies
 * against the providers that turned out programmed (spec, patterns, alias claims, targets,
 * governance pool), then the config. With `previous` (the config served so far), a policy rejected
 * for its own new spec keeps its previously served version (see last-known-good.ts).
 */
export function compile(snapshot: Snapshot, previous?: RouterConfig): CompileResult {
  const secrets = indexSecrets(snapshot.secrets);
  const providers = evaluateProviders(
    distinctObjects('ModelProvider', snapshot.providers),
    secrets,
    indexFeedPrices(snapshot.priceFeeds),
  );
  const policies = evaluatePolicies(
    distinctObjects('RoutePolicy', snapshot.policies),
    providerDirectory(providers),
  );
  const config = assembleConfig(providers, policies);
  const statuses = [
    ...providers.map((p) => providerStatus(p)),
    ...policies.map((p) => policyStatus(p)),
  ].sort(compareIds);
  return keepLastKnownGood(config, statuses, previous);
}
