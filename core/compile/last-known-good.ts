import type { RouteConfig, RouterConfig } from '../config/router-config.ts';
import { configHashOf } from './assemble-config.ts';
import { compareText } from './object-id.ts';
import type { ObjectStatus, Reason } from './status.ts';

/**
 * Rejections caused by the policy's own new spec. For these, the version that was served before
 * keeps serving: a typo in a regular expression (which CEL cannot check) must not take an alias
 * off the air. A conflict is not among them: the loser never owned the alias.
 */
const KEEP_SERVING_ON: ReadonlySet<Reason> = new Set([
  'InvalidSpec',
  'InvalidPattern',
  'PoolUnsatisfiable',
]);

/**
 * Carries the previously served version of each rejected RoutePolicy into the new config, as long
 * as its alias is still free and some of its targets still exist. The policy stays
 * `Accepted=False` (what to fix) and becomes `Programmed=True` with reason `LastKnownGood`.
 */
export function keepLastKnownGood(
  config: RouterConfig,
  statuses: ObjectStatus[],
  previous: RouterConfig | undefined,
): { config: RouterConfig; statuses: ObjectStatus[] } {
  if (previous === undefined) return { config, statuses };
  const kept: RouteConfig[] = [];
  const taken = new Set(config.routes.map((r) => r.alias));
  const models = new Set(
    config.providers.flatMap((p) => p.models.map((m) => `${p.name}/${m.name}`)),
  );
  const nextStatuses = statuses.map((status) => {
    if (!rejectedForItsSpec(status)) return status;
    const before = previous.routes.find(
      (r) => r.namespace === status.namespace && r.policy === status.name,
    );
    if (before === undefined || taken.has(before.alias)) return status;
    const route = withExistingTargets(before, models);
    if (route === undefined) return status;
    kept.push(route);
    taken.add(route.alias);
    return markLastKnownGood(status);
  });
  if (kept.length === 0) return { config, statuses };
  const routes = [...config.routes, ...kept].sort((a, b) => compareText(a.alias, b.alias));
  const body = { schemaVersion: config.schemaVersion, providers: config.providers, routes };
  return { config: { ...body, configHash: configHashOf(body) }, statuses: nextStatuses };
}

function rejectedForItsSpec(status: ObjectStatus): boolean {
  if (status.kind !== 'RoutePolicy') return false;
  const accepted = status.conditions.find((c) => c.type === 'Accepted');
  return accepted?.status === 'False' && KEEP_SERVING_ON.has(accepted.reason);
}

/** The route with only the targets (classifier, embeddings model and judge too) that still exist. */
function withExistingTargets(
  route: RouteConfig,
  models: ReadonlySet<string>,
): RouteConfig | undefined {
  const tiers = route.tiers.map((tier) => ({
    ...tier,
    targets: tier.targets.filter((t) => models.has(`${t.provider}/${t.model}`)),
  }));
  if (tiers.every((tier) => tier.targets.length === 0)) return undefined;
  const { classifier, embeddings, ...classification } = route.classification;
  const exists = (t: { provider: string; model: string } | undefined) =>
    t !== undefined && models.has(`${t.provider}/${t.model}`);
  const { quality, ...rest } = route;
  return {
    ...rest,
    tiers,
    classification: {
      ...classification,
      ...(exists(classifier) ? { classifier } : {}),
      ...(exists(embeddings) ? { embeddings } : {}),
    },
    ...(exists(quality?.judge) ? { quality } : {}),
  };
}

function markLastKnownGood(status: ObjectStatus): ObjectStatus {
  return {
    ...status,
    conditions: status.conditions.map((c) =>
      c.type === 'Programmed'
        ? {
            type: 'Programmed',
            status: 'True',
            reason: 'LastKnownGood',
            message:
              'the current spec is rejected (see Accepted); the proxies keep serving the last accepted version until it is fixed',
          }
        : c,
    ),
  };
}
