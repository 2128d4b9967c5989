// Shared by the CRD suites: reading manifests and fixtures, and asking both validators — zod (what
// the CLI and compile() use) and the emulated API server (what the CRD makes kubectl do).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { z } from 'zod';
import { modelProvider } from '../../core/api/model-provider.ts';
import { priceFeed } from '../../core/api/price-feed.ts';
import { routePolicy } from '../../core/api/route-policy.ts';
import {
  ROOT,
  crdSchemaFromFile,
  emulateApiServer,
  type ServerVerdict,
} from './api-server-emulation.ts';

/** The kinds whose manifests both validators judge. */
export type Kind = 'ModelProvider' | 'RoutePolicy' | 'PriceFeed';

const zodSchemas: Record<Kind, z.ZodType> = {
  ModelProvider: modelProvider,
  RoutePolicy: routePolicy,
  PriceFeed: priceFeed,
};

const servers: Record<Kind, (object: unknown) => ServerVerdict> = {
  ModelProvider: emulateApiServer(crdSchemaFromFile('crds/switchyard.dev_modelproviders.yaml')),
  RoutePolicy: emulateApiServer(crdSchemaFromFile('crds/switchyard.dev_routepolicies.yaml')),
  PriceFeed: emulateApiServer(crdSchemaFromFile('crds/switchyard.dev_pricefeeds.yaml')),
};

/** What zod says about one object. */
export interface ZodVerdict {
  valid: boolean;
  /** Issues as `path: message`. */
  errors: string[];
  /** The parsed object, defaults applied, when valid. */
  output: unknown;
}

/** The kind of a manifest, or undefined for anything else (Secrets, …). */
export function kindOf(doc: unknown): Kind | undefined {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  return kind === 'ModelProvider' || kind === 'RoutePolicy' || kind === 'PriceFeed'
    ? kind
    : undefined;
}

/** Parses an object with the zod schema of its kind. */
export function judgeWithZod(kind: Kind, doc: unknown): ZodVerdict {
  const result = zodSchemas[kind].safeParse(doc);
  if (result.success) return { valid: true, errors: [], output: result.data };
  const errors = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  return { valid: false, errors, output: undefined };
}

/** Sends an object to the emulated API server of its kind. */
export function judgeWithCrd(kind: Kind, doc: unknown): ServerVerdict {
  return servers[kind](doc);
}

/** One YAML document and where it came from. */
export interface Manifest {
  file: string;
  doc: Record<string, unknown>;
}

/** Every YAML document of one file. */
export function readManifests(file: string): Manifest[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return (loadAll(text) as Record<string, unknown>[])
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc) => ({ file, doc }));
}

/** Every `.yaml` file under a folder, recursively, as paths from the repository root. */
export function yamlFilesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(folder, name))
    .sort();
}

/** A bad-manifest fixture: one object that breaks one rule, and what each validator must say. */
export interface BadManifest {
  file: string;
  /** The file name as a sentence ("same target twice in a tier"). */
  sentence: string;
  doc: Record<string, unknown>;
  /** Substring of a zod issue. */
  expectZod: string;
  /** Substring of what the API server prints. */
  expectApiServer: string;
}

/**
 * The `crd-*.yaml` fixtures of test/fixtures/bad-manifests. Each starts with `# expect: <text>`
 * (both validators print it: CEL rules and messages worded alike) or with the pair
 * `# expect-zod: <text>` and `# expect-apiserver: <text>`.
 */
export function readBadManifests(): BadManifest[] {
  const folder = 'test/fixtures/bad-manifests';
  return readdirSync(join(ROOT, folder))
    .filter((name) => name.startsWith('crd-') && name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = `${folder}/${name}`;
      const text = readFileSync(join(ROOT, file), 'utf8');
      const header = (key: string) => new RegExp(`^# ${key}: (.+)$`, 'm').exec(text)?.[1]?.trim();
      const both = header('expect');
      const expectZod = header('expect-zod') ?? both;
      const expectApiServer = header('expect-apiserver') ?? both;
      if (!text.startsWith('# expect') || !expectZod || !expectApiServer) {
        throw new Error(`${file}: needs "# expect:" or "# expect-zod:" and "# expect-apiserver:"`);
      }
      const docs = loadAll(text) as Record<string, unknown>[];
      if (docs.length !== 1 || !docs[0]) throw new Error(`${file}: needs exactly one document`);
      const sentence = name.slice('crd-'.length, -'.yaml'.length).replaceAll('-', ' ');
      return { file, sentence, doc: docs[0], expectZod, expectApiServer };
    });
}
