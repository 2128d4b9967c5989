import { statusOf } from './conditions.ts';
import type { PolicyOutcome, ProviderOutcome } from './outcome.ts';
import type { ObjectStatus } from './status.ts';

/** The status of a ModelProvider. */
export function providerStatus(outcome: ProviderOutcome): ObjectStatus {
  const { id, spec } = outcome;
  const ref = spec?.auth?.secretRef;
  const models = outcome.modelCount === 1 ? '1 model' : `${outcome.modelCount} models`;
  const status = statusOf(
    id,
    outcome.findings,
    {
      Accepted: `the spec is valid and the name "${id.name}" belongs to this provider`,
      ResolvedRefs:
        ref === undefined
          ? 'no references to resolve (spec.auth is not set)'
          : `Secret ${id.namespace}/${ref.name} has key "${ref.key}"`,
      // No config hash here: it changes with every edit anywhere, and would make every object's
      // status change with it (one status write per object per edit). The hash is on the ConfigMap.
      Programmed: `served by the proxies: ${models} as ${id.name}/<model>`,
    },
    spec !== undefined,
  );
  return {
    ...status,
    modelCount: outcome.modelCount,
    ...(outcome.modelPrices === undefined ? {} : { models: outcome.modelPrices }),
  };
}

/** The status of a RoutePolicy. */
export function policyStatus(outcome: PolicyOutcome): ObjectStatus {
  const { id, spec, resolution } = outcome;
  const alias = spec?.model ?? '';
  const targets = `${resolution?.resolvedCount ?? 0} of ${resolution?.targetCount ?? 0} targets`;
  const classifier =
    (resolution?.classifier === undefined ? '' : ' and the classifier') +
    (resolution?.judge === undefined ? '' : ' and the judge');
  return statusOf(
    id,
    outcome.findings,
    {
      Accepted: `the spec is valid and the alias "${alias}" belongs to this policy`,
      ResolvedRefs: `${everyTarget(resolution?.targetCount ?? 0)}${classifier} resolved`,
      Programmed: `served by the proxies: alias "${alias}" with ${targets}`,
    },
    spec !== undefined,
  );
}

function everyTarget(count: number): string {
  return count === 1 ? 'the only target' : `all ${count} targets`;
}
