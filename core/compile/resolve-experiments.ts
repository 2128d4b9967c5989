import type { RouteConfig } from '../config/router-config.ts';
import type { Finding } from './check.ts';
import type { PolicyOutcome } from './outcome.ts';

/**
 * Resolves every served policy's experiment to the route of its variant policy (a RoutePolicy in
 * the same namespace that is served itself). An experiment whose variant does not resolve is left
 * out — the policy keeps serving all its traffic itself — and ResolvedRefs says why, unless a
 * target already failed it. Variants are followed one hop only: a variant's own experiment
 * applies to requests that name the variant's alias, never to experiment traffic.
 */
export function resolveExperiments(outcomes: readonly PolicyOutcome[]): PolicyOutcome[] {
  return outcomes.map((outcome) => {
    const experiment = outcome.spec?.experiment;
    if (experiment === undefined || !outcome.programmed) return outcome;
    const variant = findVariant(outcomes, outcome, experiment.variant);
    if ('reason' in variant) {
      if (outcome.findings.ResolvedRefs !== undefined) return outcome;
      return { ...outcome, findings: { ...outcome.findings, ResolvedRefs: variant } };
    }
    const resolved: NonNullable<RouteConfig['experiment']> = {
      name: experiment.name ?? experiment.variant,
      variant: variant.alias,
      variantPolicy: experiment.variant,
      percent: experiment.percent,
      stickyBy: experiment.stickyBy,
    };
    return { ...outcome, experiment: resolved };
  });
}

function findVariant(
  outcomes: readonly PolicyOutcome[],
  outcome: PolicyOutcome,
  name: string,
): { alias: string } | Finding {
  const { namespace } = outcome.id;
  if (name === outcome.id.name) {
    return {
      reason: 'VariantNotFound',
      message: `spec.experiment.variant names this policy itself, so there is nothing to compare; name another RoutePolicy in namespace ${namespace}`,
    };
  }
  const variant = outcomes.find((o) => o.id.namespace === namespace && o.id.name === name);
  if (variant === undefined) {
    return {
      reason: 'VariantNotFound',
      message: `no RoutePolicy "${name}" in namespace ${namespace}, so the experiment is not running; create it or correct spec.experiment.variant`,
    };
  }
  if (!variant.programmed || variant.spec === undefined) {
    return {
      reason: 'VariantNotProgrammed',
      message: `RoutePolicy ${namespace}/${name} is not being served, so the experiment is not running; fix that policy first as its status conditions say`,
    };
  }
  return { alias: variant.spec.model };
}
