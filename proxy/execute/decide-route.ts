import {
  classifyByRules,
  defaultClassification,
  type Classification,
} from '../../core/routing/classify.ts';
import { classifyByScorer } from '../../core/routing/classify-by-scorer.ts';
import { isSensitive } from '../../core/routing/governance.ts';
import { plan, type Plan, type PlanContext } from '../../core/routing/plan.ts';
import type { IndexedRoute, ResolvedTarget, RouteIndex } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import { ProxyError } from '../http/proxy-error.ts';
import { classifyByEmbeddings } from '../signals/classify-by-embeddings.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { askClassifier } from './classifier-call.ts';

/** The resolved meaning of the request's `model`: a policy alias or a concrete provider/model. */
export interface Resolution {
  routeName: string;
  route: IndexedRoute | undefined;
  direct: ResolvedTarget | undefined;
}

/** What routing decided for one request. */
export interface RouteDecision {
  classification: Classification;
  routePlan: Plan;
  sensitive: boolean;
}

/** Resolves `model` to a route or a concrete target; unknown names are a 404 like OpenAI's. */
export function resolveModel(index: RouteIndex, model: string): Resolution {
  const route = index.routes.get(model);
  if (route !== undefined) return { routeName: model, route, direct: undefined };
  const direct = index.targets.get(model);
  if (direct !== undefined) return { routeName: 'direct', route: undefined, direct };
  throw new ProxyError(
    'MODEL_NOT_FOUND',
    `The model \`${model}\` does not exist: use a policy alias or a provider/model id from GET /v1/models`,
    { param: 'model' },
  );
}

/**
 * Classifies (rules → client tier header → classifier model → default) and plans the attempts.
 * A request naming a concrete model gets exactly that model, if it can serve the request.
 */
export async function decideRoute(
  resolution: Resolution,
  input: RoutingInput,
  ctx: ProxyContext,
  budget: PlanContext['budget'] = 'normal',
): Promise<RouteDecision> {
  if (resolution.route === undefined)
    return directDecision(resolution.direct as ResolvedTarget, input);
  const route = resolution.route;
  const sensitive = isSensitive(
    route.config.governance,
    route.sensitivePatterns,
    input.headers,
    input.allText,
  );
  const classification =
    classifyByRules(route, input) ??
    (await classifyByModel(route, input, sensitive, ctx)) ??
    (await classifyByEmbeddings(route, input, sensitive, ctx)) ??
    classifyByScorer(route, input) ??
    defaultClassification(route);
  const routePlan = plan(route, classification, input, {
    health: (key) => ctx.health.health(key),
    random: ctx.random,
    latencyClass: latencyClass(input.headers['x-switchyard-latency']),
    sensitive,
    budget,
  });
  if (routePlan.attempts.length === 0) throw noTargetError(routePlan, sensitive);
  return { classification, routePlan, sensitive };
}

function directDecision(target: ResolvedTarget, input: RoutingInput): RouteDecision {
  const missing = input.requiredCapabilities.filter((c) => !target.model.capabilities.includes(c));
  if (missing.length > 0)
    throw new ProxyError(
      'INVALID_REQUEST',
      `${target.key} does not support ${missing.join(', ')}`,
      { param: 'model' },
    );
  return {
    classification: { tier: 'direct', source: 'client', preferTags: [] },
    routePlan: {
      attempts: [{ target, tier: 'direct', lastResort: false }],
      exclusions: [],
      tiers: ['direct'],
    },
    sensitive: false,
  };
}

async function classifyByModel(
  route: IndexedRoute,
  input: RoutingInput,
  sensitive: boolean,
  ctx: ProxyContext,
): Promise<Classification | undefined> {
  const tier = await askClassifier(route, input, sensitive, ctx);
  return tier === undefined ? undefined : { tier, source: 'classifier', preferTags: [] };
}

function latencyClass(value: string | undefined): 'interactive' | 'batch' | undefined {
  return value === 'interactive' || value === 'batch' ? value : undefined;
}

function noTargetError(routePlan: Plan, sensitive: boolean): ProxyError {
  const reasons = routePlan.exclusions.map((e) => `${e.key} (${e.tier}): ${e.detail}`).join('; ');
  if (sensitive && routePlan.exclusions.some((e) => e.reason === 'governance')) {
    return new ProxyError(
      'GOVERNANCE_NO_TARGET',
      `sensitive request: no target inside the governance pool can serve it (${reasons})`,
    );
  }
  return new ProxyError(
    'NO_ROUTE',
    `no target can serve this request${reasons === '' ? '' : `: ${reasons}`}`,
  );
}
