import { classifyByRules, defaultClassification, type Classification } from './classify.ts';
import { directSensitivityRefusal, isSensitive } from './governance.ts';
import { plan, type Plan, type PlanContext, type TargetHealth } from './plan.ts';
import type { IndexedRoute, ResolvedTarget, RouteIndex } from './route-index.ts';
import type { RoutingInput } from './routing-input.ts';

/** The meaning of a request's `model`: a policy alias or a concrete provider/model. */
export interface Resolution {
  /** The alias, or `direct` for a concrete provider/model. */
  routeName: string;
  route: IndexedRoute | undefined;
  direct: ResolvedTarget | undefined;
}

/** Resolves `model` to a route or a concrete target; undefined when the name is neither. */
export function resolveModel(index: RouteIndex, model: string): Resolution | undefined {
  const route = index.routes.get(model);
  if (route !== undefined) return { routeName: model, route, direct: undefined };
  const direct = index.targets.get(model);
  if (direct !== undefined) return { routeName: 'direct', route: undefined, direct };
  return undefined;
}

/** How a call to the policy's classifier model went. */
export type ClassifierOutcome =
  | 'answered'
  | 'timeout'
  | 'error'
  | 'unusable'
  | 'skipped_circuit_open'
  | 'skipped_outside_pool'
  | 'skipped_unavailable';

/** What the classifier model said, and how long it took to say it. */
export interface ClassifierVerdict {
  outcome: ClassifierOutcome;
  /** The tier it named, when `outcome` is `answered`. */
  tier?: string;
  durationMs: number;
}

/** Asks the policy's classifier model (I/O, so injected); never throws. */
export type AskClassifier = (
  route: IndexedRoute,
  input: RoutingInput,
  sensitive: boolean,
) => Promise<ClassifierVerdict>;

/** Everything decide() needs besides the request: live state, randomness and I/O come in here. */
export interface DecisionContext {
  health: (key: string) => TargetHealth;
  random: () => number;
  budget: PlanContext['budget'];
  /** The classifier model; absent where it cannot be called (`switchyard explain`). */
  askClassifier?: AskClassifier;
  /**
   * The config's index: a request naming a concrete model with a policy's sensitivity header is
   * held to that policy's pool (`directSensitivityRefusal`). Absent: no such check.
   */
  index?: RouteIndex | undefined;
}

/** Why no attempt can be made: the proxy turns it into an error answer, explain prints it. */
export interface Refusal {
  reason: 'capability' | 'governance' | 'no_target';
  message: string;
}

/** What routing decided for one request. */
export interface RouteDecision {
  classification: Classification;
  /** Present when the classifier model was asked (or would have been, but was skipped). */
  classifier: ClassifierVerdict | undefined;
  routePlan: Plan;
  sensitive: boolean;
  /** Set when the plan is empty: what the client is told. */
  refusal: Refusal | undefined;
}

/**
 * True when the request is sensitive under its policy (header or patterns). Computed before the
 * cache lookup and the decision, because sensitive requests are never cached.
 */
export function sensitivityOf(resolution: Resolution, input: RoutingInput): boolean {
  const route = resolution.route;
  if (route === undefined) return false;
  return isSensitive(
    route.config.governance,
    route.sensitivePatterns,
    input.headers,
    input.forwardedText,
  );
}

/**
 * The routing decision, shared by the proxy, `switchyard explain` and `switchyard eval`:
 * rules → client tier header → classifier model (when the policy has one and the caller can ask
 * it) → default tier; then plan() orders the attempts. A concrete provider/model gets exactly that
 * model, if it can serve the request.
 */
export async function decide(
  resolution: Resolution,
  input: RoutingInput,
  sensitive: boolean,
  context: DecisionContext,
): Promise<RouteDecision> {
  const route = resolution.route;
  if (route === undefined)
    return directDecision(resolution.direct as ResolvedTarget, input, context.index);
  let classification = classifyByRules(route, input);
  let classifier: ClassifierVerdict | undefined;
  if (classification === undefined && route.config.classification.classifier !== undefined) {
    if (context.askClassifier !== undefined) {
      classifier = await context.askClassifier(route, input, sensitive);
      if (classifier.tier !== undefined)
        classification = { tier: classifier.tier, source: 'classifier', preferTags: [] };
    }
  }
  classification ??= defaultClassification(route);
  const routePlan = plan(route, classification, input, {
    health: context.health,
    random: context.random,
    latencyClass: latencyClass(input.headers['x-switchyard-latency']),
    sensitive,
    budget: context.budget,
  });
  const refusal = routePlan.attempts.length === 0 ? noTarget(routePlan, sensitive) : undefined;
  return { classification, classifier, routePlan, sensitive, refusal };
}

function directDecision(
  target: ResolvedTarget,
  input: RoutingInput,
  index: RouteIndex | undefined,
): RouteDecision {
  const refusal = directRefusal(target, input, index);
  return {
    classification: { tier: 'direct', source: 'client', preferTags: [] },
    classifier: undefined,
    routePlan: {
      attempts: refusal === undefined ? [{ target, tier: 'direct', lastResort: false }] : [],
      exclusions: [],
      tiers: ['direct'],
    },
    sensitive: false,
    refusal,
  };
}

/** Why a concrete model may not serve the request: a missing capability, or its governance. */
function directRefusal(
  target: ResolvedTarget,
  input: RoutingInput,
  index: RouteIndex | undefined,
): Refusal | undefined {
  const missing = input.requiredCapabilities.filter((c) => !target.model.capabilities.includes(c));
  if (missing.length > 0)
    return {
      reason: 'capability',
      message: `${target.key} does not support ${missing.join(', ')}`,
    };
  const governance =
    index === undefined ? undefined : directSensitivityRefusal(index, target, input.headers);
  return governance === undefined ? undefined : { reason: 'governance', message: governance };
}

function latencyClass(value: string | undefined): 'interactive' | 'batch' | undefined {
  return value === 'interactive' || value === 'batch' ? value : undefined;
}

function noTarget(routePlan: Plan, sensitive: boolean): Refusal {
  const reasons = routePlan.exclusions.map((e) => `${e.key} (${e.tier}): ${e.detail}`).join('; ');
  if (sensitive && routePlan.exclusions.some((e) => e.reason === 'governance')) {
    return {
      reason: 'governance',
      message: `sensitive request: no target inside the governance pool can serve it (${reasons})`,
    };
  }
  return {
    reason: 'no_target',
    message: `no target can serve this request${reasons === '' ? '' : `: ${reasons}`}`,
  };
}
