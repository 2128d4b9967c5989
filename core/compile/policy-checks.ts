import type { RoutePolicySpec } from '../api/route-policy.ts';
import { acceptedBeforeProgrammed, type Check, type Finding } from './check.ts';
import { objectLabel, type ObjectId } from './object-id.ts';
import { invalidPatterns } from './patterns.ts';
import { describePool, poolRequirements, satisfiesPool } from './pool.ts';
import type { TargetResolution } from './resolve-targets.ts';

/** A RoutePolicy with a valid spec, its resolved targets, and who owns its alias. */
export interface PolicySubject {
  id: ObjectId;
  spec: RoutePolicySpec;
  /** The policy the alias was granted to (this one when it won or was alone). */
  aliasOwner: ObjectId;
  resolution: TargetResolution;
}

/** The checks of a RoutePolicy with a valid spec, most fundamental first. */
export const POLICY_CHECKS: readonly Check<PolicySubject>[] = [
  { name: 'every regular expression compiles', condition: 'Accepted', run: patternsCompile },
  { name: 'the alias is not claimed by an older policy', condition: 'Accepted', run: aliasIsOwned },
  { name: 'every target resolves', condition: 'ResolvedRefs', run: targetsResolve },
  { name: 'a target satisfies the governance pool', condition: 'Accepted', run: poolIsSatisfiable },
  acceptedBeforeProgrammed(),
  { name: 'at least one target resolves', condition: 'Programmed', run: someTargetResolves },
];

function patternsCompile({ spec }: PolicySubject): Finding | undefined {
  const invalid = invalidPatterns(spec);
  if (invalid.length === 0) return undefined;
  const list = invalid.map((p) => `${p.path} ${JSON.stringify(p.pattern)}: ${p.error}`);
  return {
    reason: 'InvalidPattern',
    message: `fix the regular expression${invalid.length === 1 ? '' : 's'} (RE2 syntax, run in linear time; no flags, use (?i) inline): ${list.join('; ')}`,
  };
}

function aliasIsOwned({ id, spec, aliasOwner }: PolicySubject): Finding | undefined {
  if (aliasOwner.namespace === id.namespace && aliasOwner.name === id.name) return undefined;
  return {
    reason: 'Conflicted',
    message: `${objectLabel(aliasOwner)} already claims the alias "${spec.model}" (it is older, or first by namespace/name); aliases are unique across the fleet; change spec.model of this one`,
  };
}

function targetsResolve({ resolution }: PolicySubject): Finding | undefined {
  const [first] = resolution.unresolved;
  if (first === undefined) return undefined;
  const list = resolution.unresolved.map(
    (u) => `${u.path} ${u.target.provider}/${u.target.model}: ${u.message}`,
  );
  const count = resolution.unresolved.length;
  return {
    reason: first.reason,
    message: `${count} reference${count === 1 ? '' : 's'} did not resolve and ${count === 1 ? 'is' : 'are'} left out of the route: ${list.join('; ')}`,
  };
}

function poolIsSatisfiable({ spec, resolution }: PolicySubject): Finding | undefined {
  const pool = spec.governance?.pool;
  // With nothing resolved, NoResolvedTargets already explains why nothing is served.
  if (pool === undefined || resolution.providers.length === 0) return undefined;
  if (
    resolution.providers.some((p) => p.spec !== undefined && satisfiesPool(p.spec.dataPolicy, pool))
  ) {
    return undefined;
  }
  const checked = resolution.providers.map((p) => p.id.name).join(', ');
  return {
    reason: 'PoolUnsatisfiable',
    message: `no target satisfies the pool ${describePool(pool)} (providers checked: ${checked}), so sensitive requests would have nowhere to go; add a provider whose dataPolicy declares ${poolRequirements(pool)}, and list one of its models as a target`,
  };
}

function someTargetResolves({ spec, resolution }: PolicySubject): Finding | undefined {
  if (resolution.resolvedCount > 0) return undefined;
  return {
    reason: 'NoResolvedTargets',
    message: `${resolution.targetCount === 1 ? 'the only target did not resolve' : `none of the ${resolution.targetCount} targets resolved`}, so alias "${spec.model}" cannot be served; fix the targets listed in the ResolvedRefs condition`,
  };
}
