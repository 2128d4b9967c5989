import { compile, type CompileResult } from '../core/compile/compile.ts';
import { compareProblems, type ManifestProblem } from '../core/compile/manifest-problem.ts';
import type { LocatedObject } from '../core/compile/manifests.ts';
import { DEFAULT_NAMESPACE, objectLabel } from '../core/compile/object-id.ts';
import { specIssuesOf } from '../core/compile/parse-spec.ts';
import { formatIssue, schemaIssues, type SpecIssue } from '../core/compile/spec-issues.ts';
import { priceFeedSpec } from '../core/api/price-feed.ts';
import type { RawObject } from '../core/compile/snapshot.ts';
import type { ObjectStatus } from '../core/compile/status.ts';
import { loadManifests, type LoadedManifests } from './load-manifests.ts';

/** Manifests loaded, compiled, and every problem found on the way, sorted by file and line. */
export interface ManifestCheck {
  loaded: LoadedManifests;
  result: CompileResult;
  problems: ManifestProblem[];
  /** Number of error-severity problems (notes excluded). */
  errorCount: number;
}

/**
 * Conditions that only repeat another condition of the same object (Programmed=False because it is
 * not accepted, or because its references do not resolve) or repeat field problems already listed
 * with hints (InvalidSpec): printing them would say the same thing twice.
 */
const REPEATING_REASONS = new Set(['InvalidSpec', 'NotAccepted', 'RefsNotResolved']);

/**
 * The shared core of `validate` and `compile`: document checks, then each spec against its schema
 * (with hints), then the cross-object checks of compile() attributed to each object's file:line.
 */
export async function checkManifests(paths: readonly string[]): Promise<ManifestCheck> {
  const loaded = await loadManifests(paths);
  const result = compile(loaded.snapshot);
  const locate = locator(loaded.objects);
  const problems = [
    ...loaded.problems,
    ...specProblems('ModelProvider', loaded.snapshot.providers, locate),
    ...specProblems('RoutePolicy', loaded.snapshot.policies, locate),
    ...specProblems('PriceFeed', loaded.priceFeeds, locate),
    ...result.statuses.flatMap((status) => statusProblems(status, locate)),
  ].sort(compareProblems);
  const errorCount = problems.filter((p) => p.severity === 'error').length;
  return { loaded, result, problems, errorCount };
}

type Locate = (kind: string, namespace: string, name: string) => LocatedObject['location'];

function locator(objects: readonly LocatedObject[]): Locate {
  const byKey = new Map(objects.map((o) => [`${o.kind}/${o.namespace}/${o.name}`, o.location]));
  return (kind, namespace, name) =>
    byKey.get(`${kind}/${namespace}/${name}`) ?? { file: '(unknown)', line: 0 };
}

function specProblems(
  kind: 'ModelProvider' | 'RoutePolicy' | 'PriceFeed',
  objects: readonly RawObject[],
  locate: Locate,
): ManifestProblem[] {
  const issuesOf = (spec: unknown): SpecIssue[] =>
    kind === 'PriceFeed' ? schemaIssues(priceFeedSpec, spec, 'spec') : specIssuesOf(kind, spec);
  return objects.flatMap((raw) => {
    const namespace = raw.metadata.namespace ?? DEFAULT_NAMESPACE;
    const object = objectLabel({ kind, namespace, name: raw.metadata.name });
    const location = locate(kind, namespace, raw.metadata.name);
    return issuesOf(raw.spec).map((issue): ManifestProblem => ({
      severity: 'error',
      location,
      object,
      message: formatIssue(issue),
      ...(issue.hint === undefined ? {} : { hint: issue.hint }),
    }));
  });
}

function statusProblems(status: ObjectStatus, locate: Locate): ManifestProblem[] {
  const location = locate(status.kind, status.namespace, status.name);
  return status.conditions
    .filter((c) => c.status !== 'True' && !REPEATING_REASONS.has(c.reason))
    .map((c) => ({
      severity: 'error',
      location,
      object: objectLabel(status),
      message: `${c.type}=${c.status} ${c.reason}: ${c.message}`,
    }));
}

/** The last line of `validate` and `compile`: counts, and the config hash when all is well. */
export function summaryOf(check: ManifestCheck): string {
  const objects = check.loaded.objects.length;
  const files = check.loaded.files.length;
  const scope = `${objects} object${objects === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  if (check.errorCount > 0) {
    return `${check.errorCount} problem${check.errorCount === 1 ? '' : 's'} (${scope})`;
  }
  return `ok: ${scope}, config ${check.result.config.configHash.slice(0, 12)}`;
}
