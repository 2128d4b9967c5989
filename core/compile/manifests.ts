import { z } from 'zod';
import { API_VERSION, objectMeta, type ObjectMeta } from '../api/common.ts';
import { priceFeedStatus } from '../api/price-feed.ts';
import { didYouMean } from './did-you-mean.ts';
import type { ManifestProblem, SourceLocation } from './manifest-problem.ts';
import { DEFAULT_NAMESPACE } from './object-id.ts';
import type { RawObject, SecretSummary, Snapshot } from './snapshot.ts';
import { formatIssue, schemaIssues } from './spec-issues.ts';

/** One parsed YAML document and where it starts. */
export interface ManifestDocument {
  location: SourceLocation;
  /** The document as the YAML parser returned it (null for an empty document). */
  value: unknown;
}

/** The kinds a manifest folder may hold for Switchyard. */
export type ManifestKind = 'ModelProvider' | 'RoutePolicy' | 'PriceFeed' | 'Secret';

/** An object found in the manifests and where it is defined. */
export interface LocatedObject {
  kind: ManifestKind;
  namespace: string;
  name: string;
  location: SourceLocation;
}

/**
 * A Secret's content, passed through for whoever needs the values (`switchyard serve`'s
 * credential store). It never enters the Snapshot, which holds key names only.
 */
export interface SecretDocument {
  namespace: string;
  name: string;
  /** base64-encoded values, as in the manifest. */
  data: Readonly<Record<string, string>>;
  /** plain-text values, as in the manifest. */
  stringData: Readonly<Record<string, string>>;
}

/** What a set of manifest documents holds. */
export interface ManifestSet {
  snapshot: Snapshot;
  /** Every accepted object with its location, in document order. */
  objects: LocatedObject[];
  secretDocuments: SecretDocument[];
  /**
   * PriceFeeds as read (their specs are checked by `switchyard validate`; their status.prices,
   * when a manifest carries one — `kubectl get pf -o yaml` — are in snapshot.priceFeeds).
   */
  priceFeeds: RawObject[];
  /** Document-level problems; spec problems are compile()'s to report. */
  problems: ManifestProblem[];
}

const SWITCHYARD_KINDS = ['ModelProvider', 'RoutePolicy', 'PriceFeed'] as const;
const EXPECTED_KINDS = `ModelProvider, RoutePolicy or PriceFeed in ${API_VERSION}`;

/** The envelope of our kinds; the spec is left to compile(), which reports InvalidSpec. */
const customResource = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: objectMeta,
  spec: z.unknown().optional(),
  status: z.unknown().optional(),
});

const secretKey = z
  .string()
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, 'a Secret key may contain only letters, digits, "-", "_" and "."');

/** A Secret as the API server accepts it (only the fields Switchyard reads are typed closely). */
const secret = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata: objectMeta,
  type: z.string().optional(),
  immutable: z.boolean().optional(),
  data: z
    .record(
      secretKey,
      z
        .string()
        .regex(
          /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
          'not valid base64; put plain text under stringData instead',
        ),
    )
    .nullish(),
  stringData: z.record(secretKey, z.string()).nullish(),
});

/**
 * Sorts parsed manifest documents into a Snapshot. Accepts ModelProviders, RoutePolicies and
 * PriceFeeds of switchyard.dev/v1alpha1 and v1 Secrets; skips other Kubernetes kinds with a note (a folder of
 * manifests often holds a Namespace or a Deployment too); reports as errors documents that are
 * not objects, lack apiVersion or kind, claim our group or kinds with the wrong version, have
 * invalid metadata, or repeat an object. A missing namespace means `default`, as with kubectl.
 */
export function readManifests(documents: readonly ManifestDocument[]): ManifestSet {
  const reader = new ManifestReader();
  for (const document of documents) reader.read(document);
  return reader.result();
}

class ManifestReader {
  readonly #set: ManifestSet = {
    snapshot: { providers: [], policies: [], secrets: [], priceFeeds: [] },
    objects: [],
    secretDocuments: [],
    priceFeeds: [],
    problems: [],
  };
  readonly #seen = new Map<string, SourceLocation>();

  read({ location, value }: ManifestDocument): void {
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      const found = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
      this.#error(
        location,
        `expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found ${found}`,
      );
      return;
    }
    const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      this.#error(location, `missing apiVersion or kind; expected ${EXPECTED_KINDS}`);
      return;
    }
    const kindOfDocument = classify(apiVersion, kind);
    if (kindOfDocument === 'Secret') this.#readSecret(location, value);
    else if (kindOfDocument === 'foreign')
      this.#note(
        location,
        `skipped ${kind} ${nameOf(value, false)} (${apiVersion}): not a Switchyard kind`,
      );
    else if (kindOfDocument === 'unknown') this.#unknownKind(location, apiVersion, kind);
    else this.#readCustomResource(location, kindOfDocument, value);
  }

  result(): ManifestSet {
    return this.#set;
  }

  #readCustomResource(
    location: SourceLocation,
    kind: 'ModelProvider' | 'RoutePolicy' | 'PriceFeed',
    value: object,
  ): void {
    const label = `${kind} ${nameOf(value)}`;
    const issues = schemaIssues(customResource, value, '');
    if (issues.length > 0) {
      for (const issue of issues) this.#error(location, formatIssue(issue), label, issue.hint);
      return;
    }
    const { metadata, spec, status } = customResource.parse(value);
    const namespace = metadata.namespace ?? DEFAULT_NAMESPACE;
    if (!this.#claim(location, kind, namespace, metadata.name)) return;
    const raw: RawObject = {
      apiVersion: API_VERSION,
      kind,
      metadata: rawMetadata(metadata, namespace),
      spec,
    };
    if (kind === 'PriceFeed') this.#readPriceFeed(location, raw, status, label);
    else if (kind === 'ModelProvider') this.#set.snapshot.providers.push(raw);
    else this.#set.snapshot.policies.push(raw);
  }

  /** A PriceFeed: its spec for validate, and the prices in force when the manifest carries a status. */
  #readPriceFeed(location: SourceLocation, raw: RawObject, status: unknown, label: string): void {
    this.#set.priceFeeds.push(raw);
    const { name, namespace = DEFAULT_NAMESPACE } = raw.metadata;
    const parsed = priceFeedStatus.optional().safeParse(status);
    if (!parsed.success) {
      for (const issue of schemaIssues(priceFeedStatus, status, 'status')) {
        this.#error(location, `${formatIssue(issue)} (its prices are not used)`, label, issue.hint);
      }
    }
    const prices = (parsed.success ? parsed.data?.prices : undefined) ?? [];
    this.#set.snapshot.priceFeeds?.push({ namespace, name, prices });
  }

  #readSecret(location: SourceLocation, value: object): void {
    const label = `Secret ${nameOf(value)}`;
    const parsed = secret.safeParse(value);
    if (!parsed.success) {
      // Messages and paths only: a Secret's values must never reach the output.
      for (const issue of schemaIssues(secret, value, '')) {
        this.#error(location, formatIssue(issue), label, issue.hint);
      }
      return;
    }
    const { metadata } = parsed.data;
    const namespace = metadata.namespace ?? DEFAULT_NAMESPACE;
    if (!this.#claim(location, 'Secret', namespace, metadata.name)) return;
    const data = parsed.data.data ?? {};
    const stringData = parsed.data.stringData ?? {};
    const keys = [...new Set([...Object.keys(data), ...Object.keys(stringData)])].sort();
    const summary: SecretSummary = { namespace, name: metadata.name, keys };
    this.#set.snapshot.secrets.push(summary);
    this.#set.secretDocuments.push({ namespace, name: metadata.name, data, stringData });
  }

  #unknownKind(location: SourceLocation, apiVersion: string, kind: string): void {
    const guess = didYouMean(kind, SWITCHYARD_KINDS);
    const hint = guess === undefined ? undefined : `did you mean kind: ${guess}?`;
    this.#error(
      location,
      `unknown kind "${kind}" (apiVersion ${apiVersion}); expected ${EXPECTED_KINDS}`,
      undefined,
      hint,
    );
  }

  /** Records an object; false (and an error) when the same object was defined before. */
  #claim(location: SourceLocation, kind: ManifestKind, namespace: string, name: string): boolean {
    const key = `${kind}/${namespace}/${name}`;
    const first = this.#seen.get(key);
    if (first !== undefined) {
      const where =
        first.file === location.file ? `line ${first.line}` : `${first.file}:${first.line}`;
      this.#error(
        location,
        `defined twice (first at ${where}); the API server would keep only one, so remove or rename one`,
        `${kind} ${namespace}/${name}`,
      );
      return false;
    }
    this.#seen.set(key, location);
    this.#set.objects.push({ kind, namespace, name, location });
    return true;
  }

  #error(location: SourceLocation, message: string, object?: string, hint?: string): void {
    this.#set.problems.push({
      severity: 'error',
      location,
      message,
      ...(object === undefined ? {} : { object }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  #note(location: SourceLocation, message: string): void {
    this.#set.problems.push({ severity: 'note', location, message });
  }
}

/**
 * Ours, a Secret, another Kubernetes kind, or unknown. A document is unknown, and an error rather
 * than skipped, when it looks meant for Switchyard (our group with another version, a typo of our
 * group or kinds) so that a typo never silently drops an object.
 */
function classify(apiVersion: string, kind: string): ManifestKind | 'foreign' | 'unknown' {
  const ours = (SWITCHYARD_KINDS as readonly string[]).includes(kind);
  if (apiVersion === API_VERSION && ours) return kind as ManifestKind;
  if (apiVersion === 'v1' && kind === 'Secret') return 'Secret';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (ours || group.includes('switchyard') || didYouMean(kind, SWITCHYARD_KINDS) !== undefined)
    return 'unknown';
  return 'foreign';
}

/** `namespace/name` from a document's metadata as far as it can be read; `name` alone without a namespace. */
function nameOf(value: object, namespaced = true): string {
  const metadata = (value as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  const name = typeof metadata?.name === 'string' ? metadata.name : '(unnamed)';
  if (typeof metadata?.namespace === 'string') return `${metadata.namespace}/${name}`;
  return namespaced ? `${DEFAULT_NAMESPACE}/${name}` : name;
}

function rawMetadata(metadata: ObjectMeta, namespace: string): RawObject['metadata'] {
  return {
    name: metadata.name,
    namespace,
    ...(metadata.generation === undefined ? {} : { generation: metadata.generation }),
    ...(metadata.creationTimestamp === undefined
      ? {}
      : { creationTimestamp: metadata.creationTimestamp }),
    ...(metadata.uid === undefined ? {} : { uid: metadata.uid }),
  };
}
