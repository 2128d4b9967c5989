import { readFile } from 'node:fs/promises';
import type { ManifestProblem } from '../core/compile/manifest-problem.ts';
import {
  readManifests,
  type LocatedObject,
  type ManifestDocument,
} from '../core/compile/manifests.ts';
import type { RawObject, Snapshot } from '../core/compile/snapshot.ts';
import { describeFsError, findManifestFiles } from './find-manifest-files.ts';
import { parseManifestText } from './parse-manifest-text.ts';
import { secretValuesOf } from './secret-values.ts';

/** Manifests read from disk: what compile() needs, where each object is, and what went wrong. */
export interface LoadedManifests {
  /** ModelProviders, RoutePolicies and Secret key names: the input of compile(). */
  snapshot: Snapshot;
  /** Every object with the file and line it is defined at. */
  objects: LocatedObject[];
  /** PriceFeeds as read, for validate to check their specs. */
  priceFeeds: RawObject[];
  /** Unreadable paths, YAML syntax errors, unknown kinds, bad metadata, duplicates, skip notes. */
  problems: ManifestProblem[];
  /**
   * Secret values keyed `namespace/secret/key`, ready for `CredentialStore.replace`. Kept apart
   * from the snapshot so that compile() never sees a value; never print or log this map.
   */
  secretsValues: ReadonlyMap<string, string>;
  /** The manifest files read, sorted. */
  files: string[];
}

/**
 * Reads manifests from files and folders (recursively, `*.yaml` and `*.yml`, multi-document) for
 * `switchyard validate`, `compile` and `serve`. Never throws for a bad manifest: every problem
 * comes back in `problems` with its `file:line`.
 */
export async function loadManifests(paths: readonly string[]): Promise<LoadedManifests> {
  const found = await findManifestFiles(paths);
  const documents: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [...found.problems];
  for (const file of found.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      problems.push({
        severity: 'error',
        location: { file, line: 0 },
        message: `cannot read: ${describeFsError(error)}`,
      });
      continue;
    }
    const parsed = parseManifestText(file, text);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  const set = readManifests(documents);
  return {
    snapshot: set.snapshot,
    objects: set.objects,
    priceFeeds: set.priceFeeds,
    problems: [...problems, ...set.problems],
    secretsValues: secretValuesOf(set.secretDocuments),
    files: found.files,
  };
}
