import { notAccepted, runChecks, type Findings } from './check.ts';
import { grantClaims } from './claims.ts';
import type { IdentifiedObject } from './distinct-objects.ts';
import type { PolicyOutcome, ProviderDirectory } from './outcome.ts';
import { invalidSpecFinding, parsePolicySpec } from './parse-spec.ts';
import { invalidPatterns } from './patterns.ts';
import { POLICY_CHECKS } from './policy-checks.ts';
import { resolveTargets } from './resolve-targets.ts';
import { resolveExperiments } from './resolve-experiments.ts';

/**
 * Parses every RoutePolicy, grants contested aliases, resolves targets against the evaluated
 * providers, and runs the policy checks. Only policies that are valid on their own (spec and
 * regular expressions) compete for an alias, so who owns an alias never depends on other objects.
 */
export function evaluatePolicies(
  objects: readonly IdentifiedObject[],
  providers: ProviderDirectory,
): PolicyOutcome[] {
  const parsed = objects.map((object) => ({ ...object, parse: parsePolicySpec(object.raw.spec) }));
  const owners = grantClaims(
    parsed.flatMap((p) =>
      p.parse.ok && invalidPatterns(p.parse.spec).length === 0
        ? [{ id: p.id, alias: p.parse.spec.model }]
        : [],
    ),
    (p) => p.alias,
  );
  const outcomes = parsed.map(({ id, parse }): PolicyOutcome => {
    if (!parse.ok) {
      const accepted = invalidSpecFinding(parse.issues);
      const findings: Findings = { Accepted: accepted, Programmed: notAccepted(accepted) };
      return { id, spec: undefined, findings, resolution: undefined, programmed: false };
    }
    const { spec } = parse;
    const resolution = resolveTargets(id.namespace, spec, providers);
    const aliasOwner = owners.get(spec.model)?.id ?? id;
    const findings = runChecks({ id, spec, aliasOwner, resolution }, POLICY_CHECKS);
    return { id, spec, findings, resolution, programmed: findings.Programmed === undefined };
  });
  return resolveExperiments(outcomes);
}
