import type { RuleConfig } from '../config/router-config.ts';
import type { LinearRegex } from '../regex/linear-regex.ts';
import type { IndexedRoute } from './route-index.ts';
import type { RoutingInput } from './routing-input.ts';

/** How the tier was chosen: a rule, the client's header, the classifier model, or the default. */
export type ClassificationSource = 'rule' | 'client' | 'classifier' | 'default';

/** The outcome of classification. */
export interface Classification {
  tier: string;
  source: ClassificationSource;
  /** Name of the matching rule, when source is `rule`. */
  rule?: string;
  /** Tags to try first within the tier. */
  preferTags: readonly string[];
}

/**
 * Characters of the messages' text that rule patterns read: the head of a prompt says what kind
 * of request it is, and a bound keeps the cost of matching per request fixed however large the
 * body (the engine is linear, so this is at most one scan of 64 Ki characters per pattern).
 */
export const RULE_PATTERN_SCAN_CHARS = 65_536;

/** Header a client may use to pick a tier, when the policy allows it. */
export const CLIENT_TIER_HEADER = 'x-switchyard-tier';

/**
 * Picks the tier by the policy's rules, first match wins; then the client's tier header where
 * allowed; otherwise returns undefined so the caller may ask the classifier model or take the
 * default (`defaultClassification`).
 */
export function classifyByRules(
  route: IndexedRoute,
  input: RoutingInput,
): Classification | undefined {
  for (const rule of route.config.classification.rules) {
    if (ruleMatches(rule, route.rulePatterns.get(rule.name) ?? [], input)) {
      return { tier: rule.tier, source: 'rule', rule: rule.name, preferTags: rule.preferTags };
    }
  }
  const requested = input.headers[CLIENT_TIER_HEADER];
  if (
    route.config.classification.allowClientTier &&
    requested !== undefined &&
    route.tiers.some((t) => t.name === requested)
  ) {
    return { tier: requested, source: 'client', preferTags: [] };
  }
  return undefined;
}

/** The classification used when no rule matched and no classifier answered. */
export function defaultClassification(route: IndexedRoute): Classification {
  return { tier: route.config.classification.default, source: 'default', preferTags: [] };
}

/** True when every condition of the rule's match holds for the request. */
export function ruleMatches(
  rule: RuleConfig,
  patterns: readonly LinearRegex[],
  input: RoutingInput,
): boolean {
  const m = rule.match;
  const scanned = () =>
    input.allText.length > RULE_PATTERN_SCAN_CHARS
      ? input.allText.slice(0, RULE_PATTERN_SCAN_CHARS)
      : input.allText;
  const checks: (() => boolean)[] = [
    () =>
      m.keywords === undefined ||
      m.keywords.some((k) => input.userTextLower.includes(k.toLowerCase())),
    () => {
      if (m.patterns === undefined) return true;
      const text = scanned();
      return patterns.some((p) => p.test(text));
    },
    () => m.minPromptTokens === undefined || input.promptTokens >= m.minPromptTokens,
    () => m.maxPromptTokens === undefined || input.promptTokens <= m.maxPromptTokens,
    () => m.hasTools === undefined || m.hasTools === input.hasTools,
    () => m.hasImages === undefined || m.hasImages === input.hasImages,
    () => m.responseFormat === undefined || m.responseFormat === (input.responseFormat ?? 'text'),
    () =>
      m.headers === undefined ||
      Object.entries(m.headers).every(([k, v]) => input.headers[k] === v),
    () =>
      m.metadata === undefined ||
      Object.entries(m.metadata).every(([k, v]) => input.metadata[k] === v),
  ];
  return checks.every((check) => check());
}

/**
 * Parses a classifier model's answer into a tier name: the first tier name that appears as a
 * word in the answer, so "premium." or "Tier: premium" both work. Unknown answers give undefined.
 */
export function parseClassifierAnswer(route: IndexedRoute, answer: string): string | undefined {
  const words = answer.toLowerCase().match(/[a-z0-9-]+/g) ?? [];
  return words.find((word) => route.tiers.some((t) => t.name === word));
}
