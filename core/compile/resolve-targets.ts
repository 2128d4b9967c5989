import type { TargetRef } from '../api/common.ts';
import type { ModelSpec } from '../api/model-provider.ts';
import type { RoutePolicySpec } from '../api/route-policy.ts';
import type { RouteConfig, TierConfig } from '../config/router-config.ts';
import type { Finding } from './check.ts';
import { resolveEmbeddingsSignal } from './embeddings-signal-config.ts';
import type { ProviderDirectory, ProviderOutcome } from './outcome.ts';

/** A reference that did not resolve, and why. */
export interface UnresolvedRef extends Finding {
  /** Where it sits in the spec: `tiers[0].targets[1]` or `classification.classifier.target`. */
  path: string;
  target: TargetRef;
}

/** The outcome of resolving every target of a policy. */
export interface TargetResolution {
  /** Every tier in spec order, holding only its resolved targets (a tier may end up empty). */
  tiers: TierConfig[];
  /** The classifier, when it is configured and resolved. */
  classifier: RouteConfig['classification']['classifier'];
  /** The embeddings signal, when it is configured and its model resolved. */
  embeddings: RouteConfig['classification']['embeddings'];
  /** The quality judge, when it is configured and resolved. */
  judge: TargetRef | undefined;
  unresolved: UnresolvedRef[];
  /** Tier targets listed in the spec. */
  targetCount: number;
  /** Tier targets that resolved. */
  resolvedCount: number;
  /** The providers behind the resolved tier targets, each once, in order of first use. */
  providers: ProviderOutcome[];
}

/**
 * Resolves a policy's targets in its own namespace. Unresolved targets are dropped, not fatal:
 * like a Gateway API route with one bad backendRef, the route keeps serving with the rest.
 */
export function resolveTargets(
  namespace: string,
  spec: RoutePolicySpec,
  providers: ProviderDirectory,
): TargetResolution {
  const unresolved: UnresolvedRef[] = [];
  const used: ProviderOutcome[] = [];
  let targetCount = 0;
  const tiers = spec.tiers.map((tier, i): TierConfig => {
    const targets = tier.targets.flatMap((target, j) => {
      targetCount++;
      const result = resolveTarget(namespace, target, providers);
      if ('reason' in result) {
        unresolved.push({ ...result, path: `tiers[${i}].targets[${j}]`, target });
        return [];
      }
      if (!used.includes(result)) used.push(result);
      return [{ provider: target.provider, model: target.model, weight: target.weight }];
    });
    return { name: tier.name, strategy: tier.strategy, targets };
  });
  const resolvedCount = tiers.reduce((sum, tier) => sum + tier.targets.length, 0);
  const classifier = resolveClassifier(namespace, spec, providers, unresolved);
  const embeddings = resolveEmbeddingsSignal(namespace, spec, providers, unresolved);
  const judge = resolveJudge(namespace, spec, providers, unresolved);
  return {
    tiers,
    classifier,
    embeddings,
    judge,
    unresolved,
    targetCount,
    resolvedCount,
    providers: used,
  };
}

function resolveClassifier(
  namespace: string,
  spec: RoutePolicySpec,
  providers: ProviderDirectory,
  unresolved: UnresolvedRef[],
): TargetResolution['classifier'] {
  const classifier = spec.classification.classifier;
  if (classifier === undefined) return undefined;
  const { target } = classifier;
  const result = resolveTarget(namespace, target, providers);
  if ('reason' in result) {
    unresolved.push({ ...result, path: 'classification.classifier.target', target });
    return undefined;
  }
  return { provider: target.provider, model: target.model, timeoutMs: classifier.timeoutMs };
}

function resolveJudge(
  namespace: string,
  spec: RoutePolicySpec,
  providers: ProviderDirectory,
  unresolved: UnresolvedRef[],
): TargetRef | undefined {
  const target = spec.quality?.judge;
  if (target === undefined) return undefined;
  const result = resolveTarget(namespace, target, providers);
  if (!('reason' in result)) return { provider: target.provider, model: target.model };
  unresolved.push({ ...result, path: 'quality.judge', target });
  return undefined;
}

/**
 * Resolves one provider/model reference to its provider, or says why it does not resolve.
 * Mistakes in the reference itself are reported before the provider's own trouble, since they
 * are what the policy's author can fix.
 */
export function resolveTarget(
  namespace: string,
  target: TargetRef,
  providers: ProviderDirectory,
  purpose: 'chat' | 'embeddings' = 'chat',
): ProviderOutcome | Finding {
  const provider = providers.find(namespace, target.provider);
  if (provider === undefined) return providerNotFound(namespace, target, providers);
  if (provider.spec === undefined) return notProgrammed(provider);
  const model = provider.spec.models.find((m) => m.name === target.model);
  if (model === undefined) {
    const known = provider.spec.models.map((m) => m.name).join(', ');
    return {
      reason: 'ModelNotFound',
      message: `ModelProvider ${namespace}/${target.provider} has no model "${target.model}" (it has: ${known}), so add it to that provider's spec.models or correct the model name`,
    };
  }
  if (purpose === 'embeddings' && !model.capabilities.includes('embeddings')) {
    return {
      reason: 'CapabilityMissing',
      message: `model "${target.model}" lacks the embeddings capability that classification.embeddings needs, so target an embeddings model or add the capability to the provider's model`,
    };
  }
  if (purpose === 'chat' && servesOnlyEmbeddings(model)) {
    return {
      reason: 'CapabilityMissing',
      message: `model "${target.model}" only has the embeddings capability but tiers and the classifier send chat completions, so target a chat model instead`,
    };
  }
  return provider.programmed ? provider : notProgrammed(provider);
}

function providerNotFound(
  namespace: string,
  target: TargetRef,
  providers: ProviderDirectory,
): Finding {
  const elsewhere = providers.namespacesWith(target.provider);
  const found =
    elsewhere.length === 0
      ? ''
      : ` (there is one in namespace ${elsewhere.join(', ')}, but targets resolve in the policy's own namespace)`;
  return {
    reason: 'ProviderNotFound',
    message: `no ModelProvider "${target.provider}" in namespace ${namespace}${found}, so create it there or correct the provider name`,
  };
}

function notProgrammed(provider: ProviderOutcome): Finding {
  const cause = provider.findings.Accepted ?? provider.findings.ResolvedRefs;
  const why = cause === undefined ? '' : ` (${cause.reason})`;
  return {
    reason: 'ProviderNotProgrammed',
    message: `ModelProvider ${provider.id.namespace}/${provider.id.name} is not being served${why}, so fix that provider first as its status conditions say`,
  };
}

/** An embeddings model cannot answer a chat completion, so it cannot be a chat target. */
function servesOnlyEmbeddings(model: ModelSpec): boolean {
  return model.capabilities.length > 0 && model.capabilities.every((c) => c === 'embeddings');
}
