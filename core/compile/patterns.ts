import type { RoutePolicySpec } from '../api/route-policy.ts';
import { patternProblem } from '../regex/linear-regex.ts';

/** A regular expression that does not compile, with its place in the spec. */
export interface InvalidPattern {
  path: string;
  pattern: string;
  error: string;
}

/**
 * Every regular expression of a policy that the linear-time engine cannot run: syntax errors, and
 * lookaround or backreferences (with a hint for a rewrite). They are compiled exactly as the proxy
 * compiles them (core/regex/), so what passes here cannot throw there.
 */
export function invalidPatterns(spec: RoutePolicySpec): InvalidPattern[] {
  const found: InvalidPattern[] = [];
  spec.classification.rules.forEach((rule, i) => {
    (rule.match.patterns ?? []).forEach((pattern, j) => {
      check(found, `spec.classification.rules[${i}].match.patterns[${j}]`, pattern);
    });
  });
  spec.governance?.sensitive.patterns.forEach((pattern, j) => {
    check(found, `spec.governance.sensitive.patterns[${j}]`, pattern);
  });
  return found;
}

function check(found: InvalidPattern[], path: string, pattern: string): void {
  const error = patternProblem(pattern);
  if (error !== undefined) found.push({ path, pattern, error });
}
