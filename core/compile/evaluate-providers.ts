import { notAccepted, runChecks, type Findings } from './check.ts';
import { grantClaims } from './claims.ts';
import type { IdentifiedObject } from './distinct-objects.ts';
import { pricedModel, type FeedPriceIndex } from './effective-prices.ts';
import { compareText, namespacedName } from './object-id.ts';
import type { ProviderDirectory, ProviderOutcome } from './outcome.ts';
import { invalidSpecFinding, parseProviderSpec } from './parse-spec.ts';
import { PROVIDER_CHECKS } from './provider-checks.ts';
import type { SecretIndex } from './secret-index.ts';

/**
 * Parses every ModelProvider, grants contested names, and runs the provider checks. Only
 * providers with a valid spec compete for a name: a broken object must not block a good one.
 */
export function evaluateProviders(
  objects: readonly IdentifiedObject[],
  secrets: SecretIndex,
  feeds: FeedPriceIndex = new Map(),
): ProviderOutcome[] {
  const parsed = objects.map((object) => ({
    ...object,
    parse: parseProviderSpec(object.raw.spec),
  }));
  const owners = grantClaims(
    parsed.filter((p) => p.parse.ok),
    (p) => p.id.name,
  );
  return parsed.map(({ id, raw, parse }): ProviderOutcome => {
    if (!parse.ok) {
      const accepted = invalidSpecFinding(parse.issues);
      const findings: Findings = { Accepted: accepted, Programmed: notAccepted(accepted) };
      return {
        id,
        spec: undefined,
        findings,
        programmed: false,
        modelCount: rawModelCount(raw.spec),
      };
    }
    const nameOwner = owners.get(id.name)?.id ?? id;
    const findings = runChecks({ id, spec: parse.spec, nameOwner, secrets }, PROVIDER_CHECKS);
    const programmed = findings.Programmed === undefined;
    const priced = parse.spec.models.map((model) => pricedModel(id.namespace, model, feeds));
    const modelPrices = priced.flatMap((model) =>
      model.status === undefined ? [] : [model.status],
    );
    return {
      id,
      spec: parse.spec,
      findings,
      programmed,
      modelCount: parse.spec.models.length,
      models: priced.map((model) => model.config),
      ...(modelPrices.length === 0 ? {} : { modelPrices }),
    };
  });
}

/** Indexes providers by namespace and name for target resolution. */
export function providerDirectory(providers: readonly ProviderOutcome[]): ProviderDirectory {
  const byKey = new Map(providers.map((p) => [namespacedName(p.id), p]));
  return {
    find: (namespace, name) => byKey.get(namespacedName({ namespace, name })),
    namespacesWith: (name) =>
      providers
        .filter((p) => p.id.name === name)
        .map((p) => p.id.namespace)
        .sort(compareText),
  };
}

function rawModelCount(spec: unknown): number {
  const models = (spec as { models?: unknown } | null | undefined)?.models;
  return Array.isArray(models) ? models.length : 0;
}
