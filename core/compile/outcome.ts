import type { ModelPriceStatus, ModelProviderSpec } from '../api/model-provider.ts';
import type { ModelConfig } from '../config/router-config.ts';
import type { RoutePolicySpec } from '../api/route-policy.ts';
import type { Findings } from './check.ts';
import type { ObjectId } from './object-id.ts';
import type { TargetResolution } from './resolve-targets.ts';
import type { RouteConfig } from '../config/router-config.ts';

/** What compile() concluded about one ModelProvider. */
export interface ProviderOutcome {
  id: ObjectId;
  /** The parsed spec; undefined when it is invalid. */
  spec: ModelProviderSpec | undefined;
  findings: Findings;
  /** Served by the proxies: accepted and every reference resolved. */
  programmed: boolean;
  /** Number of models, for the status printer column (counted from the raw spec when invalid). */
  modelCount: number;
  /** The models as served, prices in force resolved (feeds included); undefined when invalid. */
  models?: ModelConfig[];
  /** The price in force and its source of each model with a feedRef (status.models). */
  modelPrices?: ModelPriceStatus[];
}

/** What compile() concluded about one RoutePolicy. */
export interface PolicyOutcome {
  id: ObjectId;
  /** The parsed spec; undefined when it is invalid. */
  spec: RoutePolicySpec | undefined;
  findings: Findings;
  /** The targets that resolved; undefined when the spec is invalid. */
  resolution: TargetResolution | undefined;
  /** Served by the proxies: accepted and at least one target resolved. */
  programmed: boolean;
  /** The experiment, once its variant resolved (resolve-experiments.ts). */
  experiment?: RouteConfig['experiment'];
}

/** Finds providers for target resolution. */
export interface ProviderDirectory {
  /** The provider of that name in that namespace. */
  find: (namespace: string, name: string) => ProviderOutcome | undefined;
  /** The namespaces holding a provider of that name, sorted (to point at a likely mistake). */
  namespacesWith: (name: string) => string[];
}
