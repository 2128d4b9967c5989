import type { RoutePolicySpec } from '../api/route-policy.ts';

/** A regular expression that does not compile, with its place in the spec. */
export interface InvalidPattern {
  path: string;
  pattern: string;
  error: string;
}

/**
 * Every regular expression of a policy that fails to compile. They are compiled without flags,
 * exactly as the proxy compiles them, so what passes here cannot throw there.
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
  try {
    new RegExp(pattern);
  } catch (error) {
    found.push({ path, pattern, error: error instanceof Error ? error.message : String(error) });
  }
}
