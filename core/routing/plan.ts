import type { Classification } from './classify.ts';
import type { IndexedRoute, ResolvedTarget } from './route-index.ts';
import type { RoutingInput } from './routing-input.ts';
import { satisfiesPool } from './governance.ts';

/** Live state of one target, as the proxy's health tracker sees it. */
export interface TargetHealth {
  circuit: 'closed' | 'half-open' | 'open';
  /** Observed p95 time to first token, when known. */
  p95TtftMs?: number;
  /** Observed p50 total latency, when known. */
  p50LatencyMs?: number;
  /** True when the provider's request or token rate limit is used up right now. */
  rateLimited?: boolean;
  /**
   * True when the policy's quality loop demoted the target for low judged quality (fleet-wide)
   * and this request is not one of its probation requests.
   */
  demoted?: boolean;
}

/** Everything plan() needs besides the route and the request. Time and randomness come in here. */
export interface PlanContext {
  health: (key: string) => TargetHealth;
  /** Uniform random in [0, 1), for the weighted strategy. */
  random: () => number;
  latencyClass: 'interactive' | 'batch' | undefined;
  sensitive: boolean;
  /** Budget pressure: `downgrade` starts one tier cheaper, `cheapest-only` stays in the first tier. */
  budget: 'normal' | 'downgrade' | 'cheapest-only';
}

/** Why a target was left out (hard) or moved to the end of the plan (soft). */
export type ExclusionReason =
  | 'context_window'
  | 'capability'
  | 'governance'
  | 'circuit_open'
  | 'rate_limited'
  | 'too_slow'
  | 'demoted';

/** A target that plan() did not put in its normal place, and why. */
export interface Exclusion {
  key: string;
  tier: string;
  reason: ExclusionReason;
  /** True when the target stays in the plan as a last resort. */
  lastResort: boolean;
  detail: string;
}

/** One planned attempt. */
export interface PlannedAttempt {
  target: ResolvedTarget;
  tier: string;
  /** True for targets moved to the end (open circuit, rate limited, too slow, demoted). */
  lastResort: boolean;
}

/** The ordered attempts for one request and the reasons behind the order. */
export interface Plan {
  attempts: PlannedAttempt[];
  exclusions: Exclusion[];
  /** The tiers visited, in order. */
  tiers: string[];
}

/** Output tokens assumed when the client sets no limit, for expected-cost ranking. */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 500;

const SOFT_REASONS: ReadonlySet<ExclusionReason> = new Set([
  'circuit_open',
  'rate_limited',
  'too_slow',
  'demoted',
]);

/**
 * Orders the targets a request may try: the classified tier first, then (when the policy
 * escalates) every more capable tier. Hard filters (context window, capabilities, governance)
 * remove targets; soft ones (open circuit, rate limit, latency budget) move them behind every
 * healthy target, so an open circuit is never tried while a closed one is eligible.
 */
export function plan(
  route: IndexedRoute,
  classification: Classification,
  input: RoutingInput,
  context: PlanContext,
): Plan {
  const tierNames = tiersToVisit(route, classification.tier, context.budget);
  const attempts: PlannedAttempt[] = [];
  const demoted: PlannedAttempt[] = [];
  const exclusions: Exclusion[] = [];
  for (const tierName of tierNames) {
    const tier = route.tiers.find((t) => t.name === tierName);
    if (tier === undefined) continue;
    const kept: ResolvedTarget[] = [];
    for (const target of tier.targets) {
      const exclusion = checkTarget(route, target, input, context);
      if (exclusion === undefined) {
        kept.push(target);
        continue;
      }
      const lastResort = SOFT_REASONS.has(exclusion.reason);
      exclusions.push({
        key: target.key,
        tier: tierName,
        reason: exclusion.reason,
        detail: exclusion.detail,
        lastResort,
      });
      if (lastResort) demoted.push({ target, tier: tierName, lastResort: true });
    }
    const ranked = rank(
      tier.strategy,
      kept,
      input,
      classification.tier === tierName ? classification.preferTags : [],
      context,
    );
    for (const target of ranked) attempts.push({ target, tier: tierName, lastResort: false });
  }
  return {
    attempts: [...attempts, ...orderDemoted(demoted, context)],
    exclusions,
    tiers: tierNames,
  };
}

function tiersToVisit(
  route: IndexedRoute,
  startTier: string,
  budget: PlanContext['budget'],
): string[] {
  const names = route.tiers.map((t) => t.name);
  if (budget === 'cheapest-only') return names.slice(0, 1);
  let start = Math.max(0, names.indexOf(startTier));
  if (budget === 'downgrade') start = Math.max(0, start - 1);
  return route.config.failover.escalate ? names.slice(start) : names.slice(start, start + 1);
}

function checkTarget(
  route: IndexedRoute,
  target: ResolvedTarget,
  input: RoutingInput,
  context: PlanContext,
): { reason: ExclusionReason; detail: string } | undefined {
  return checkFit(route, target, input, context.sensitive) ?? checkHealth(route, target, context);
}

/** Hard filters: what the request needs from the model and the provider. */
function checkFit(
  route: IndexedRoute,
  target: ResolvedTarget,
  input: RoutingInput,
  sensitive: boolean,
): { reason: ExclusionReason; detail: string } | undefined {
  const { model, provider } = target;
  const needed = input.promptTokens + (input.maxOutputTokens ?? 0);
  if (needed > model.contextWindow) {
    return {
      reason: 'context_window',
      detail: `needs ~${needed} tokens, window is ${model.contextWindow}`,
    };
  }
  if (input.maxOutputTokens !== undefined && input.maxOutputTokens > model.maxOutputTokens) {
    return {
      reason: 'context_window',
      detail: `max output ${input.maxOutputTokens} > model limit ${model.maxOutputTokens}`,
    };
  }
  const missing = input.requiredCapabilities.filter((c) => !model.capabilities.includes(c));
  if (missing.length > 0)
    return { reason: 'capability', detail: `model lacks ${missing.join(', ')}` };
  const pool = route.config.governance?.pool;
  if (sensitive && pool !== undefined && !satisfiesPool(provider.dataPolicy, pool)) {
    return {
      reason: 'governance',
      detail: 'sensitive request; provider is outside the governance pool',
    };
  }
  return undefined;
}

/** Soft filters: live state that moves a target to the end of the plan. */
function checkHealth(
  route: IndexedRoute,
  target: ResolvedTarget,
  context: PlanContext,
): { reason: ExclusionReason; detail: string } | undefined {
  const health = context.health(target.key);
  if (health.circuit === 'open')
    return { reason: 'circuit_open', detail: 'circuit breaker is open' };
  if (health.rateLimited === true)
    return { reason: 'rate_limited', detail: 'provider rate limit reached' };
  if (health.demoted === true)
    return { reason: 'demoted', detail: 'demoted for low judged quality' };
  const budgetMs = route.config.latency?.interactiveTtftMs;
  const p95 = health.p95TtftMs ?? 0;
  if (context.latencyClass === 'interactive' && budgetMs !== undefined && p95 > budgetMs) {
    return {
      reason: 'too_slow',
      detail: `p95 time to first token ${Math.round(p95)} ms > ${budgetMs} ms`,
    };
  }
  return undefined;
}

/** Expected cost of the request on a target, in USD, for the `cheapest` strategy. */
export function expectedCostUSD(target: ResolvedTarget, input: RoutingInput): number {
  const output = input.maxOutputTokens ?? DEFAULT_EXPECTED_OUTPUT_TOKENS;
  const p = target.model.pricing;
  return (input.promptTokens * p.inputPerMillion + output * p.outputPerMillion) / 1_000_000;
}

function rank(
  strategy: IndexedRoute['tiers'][number]['strategy'],
  targets: ResolvedTarget[],
  input: RoutingInput,
  preferTags: readonly string[],
  context: PlanContext,
): ResolvedTarget[] {
  let ordered: ResolvedTarget[];
  switch (strategy) {
    case 'cheapest':
      ordered = stableSortBy(targets, (t) => expectedCostUSD(t, input));
      break;
    case 'fastest':
      // Unmeasured targets rank first so they get measured.
      ordered = stableSortBy(targets, (t) => context.health(t.key).p50LatencyMs ?? 0);
      break;
    case 'weighted':
      ordered = weightedOrder(targets, context.random);
      break;
    case 'ordered':
      ordered = targets;
      break;
  }
  if (preferTags.length === 0) return ordered;
  const preferred = ordered.filter((t) => t.model.tags.some((tag) => preferTags.includes(tag)));
  return [...preferred, ...ordered.filter((t) => !preferred.includes(t))];
}

function orderDemoted(demoted: PlannedAttempt[], context: PlanContext): PlannedAttempt[] {
  // Half-open and rate-limited targets are better bets than open circuits.
  const rankOf = (a: PlannedAttempt): number =>
    context.health(a.target.key).circuit === 'open' ? 1 : 0;
  return stableSortBy(demoted, rankOf);
}

function stableSortBy<T>(items: readonly T[], key: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, k: key(item) }))
    .sort((a, b) => a.k - b.k || a.index - b.index)
    .map((x) => x.item);
}

/** Weighted random order without replacement; zero-weight targets go last in listed order. */
function weightedOrder(targets: readonly ResolvedTarget[], random: () => number): ResolvedTarget[] {
  const pool = targets.filter((t) => t.weight > 0);
  const out: ResolvedTarget[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let pick = random() * total;
    let index = 0;
    while (index < pool.length - 1 && pick >= (pool[index]?.weight ?? 0)) {
      pick -= pool[index]?.weight ?? 0;
      index += 1;
    }
    out.push(...pool.splice(index, 1));
  }
  return [...out, ...targets.filter((t) => t.weight === 0)];
}
