// Shared set-up of the chart suites: the pinned helm binary run as a user would run it (with its
// own config and cache folders, so a developer's repositories never leak in), `helm template`
// output parsed into objects, and small accessors for the objects the tests look at.
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { makeTempDir, runCommand, type CommandResult } from '../harness/processes.ts';
import { goBinary, repoRoot, toolEnv } from '../harness/tools.ts';

/** The chart under test. */
export const chartDir = join(repoRoot, 'charts', 'switchyard');

/** A values file that turns every optional part of the chart on. */
export const everythingOnValues = join(repoRoot, 'test', 'chart', 'everything-on.values.yaml');

/** The fields of a rendered Kubernetes object that every test reads. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

let helmHome: string | undefined;

/** Environment for helm: pinned tools first on PATH, and helm's folders in a temp folder. */
export function helmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  helmHome ??= makeTempDir('helm-home');
  return toolEnv({
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    ...extra,
  });
}

/** Runs the pinned helm (never throws on a non-zero exit). */
export function helm(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return runCommand(goBinary('helm'), args, { env: helmEnv(env), timeoutMs: 90_000 });
}

/** Runs helm and throws, with its output, unless it exits 0; returns stdout. */
export async function helmOk(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<string> {
  const result = await helm(args, env);
  if (result.code !== 0) {
    throw new Error(
      `helm ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** Options of renderChart. */
export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  /** Values files, in order. */
  readonly valuesFiles?: readonly string[];
  /** `--set` expressions, in order. */
  readonly set?: readonly string[];
}

/** The arguments of `helm template` for these options (release `switchyard` in `ai` by default). */
export function templateArgs(options: RenderOptions = {}): string[] {
  return [
    'template',
    options.release ?? 'switchyard',
    chartDir,
    '--namespace',
    options.namespace ?? 'ai',
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((expression) => ['--set', expression]),
  ];
}

/** Renders the chart with `helm template` and returns the text and the parsed objects. */
export async function renderChart(
  options: RenderOptions = {},
): Promise<{ text: string; objects: KubeObject[] }> {
  const text = await helmOk(templateArgs(options));
  const objects = loadAll(text).filter(
    (document): document is KubeObject => typeof document === 'object' && document !== null,
  );
  return { text, objects };
}

/** The one object of a kind and name; throws, listing what was rendered, when it is not there. */
export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter((object) => object.kind === kind && object.metadata.name === name);
  if (found.length !== 1) {
    const rendered = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind}/${name}, found ${found.length} among: ${rendered}`);
  }
  return found[0]!;
}

/** `Kind/name` (or `Kind/namespace/name`) of every object, sorted, for whole-set comparisons. */
export function inventory(objects: readonly KubeObject[]): string[] {
  return objects
    .map((object) =>
      [object.kind, object.metadata.namespace, object.metadata.name]
        .filter((part) => part !== undefined)
        .join('/'),
    )
    .sort();
}

/** A container of a rendered pod template, with the fields the tests read. */
export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  ports?: { name: string; containerPort: number }[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  volumeMounts?: { name: string; mountPath: string }[];
}

/** The pod template spec of a rendered Deployment. */
export interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: Record<string, unknown> }[];
  topologySpreadConstraints?: Record<string, unknown>[];
}

/** The pod spec and pod labels of a Deployment. */
export function podTemplate(deployment: KubeObject): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PodSpec;
} {
  const template = (
    deployment['spec'] as {
      template: {
        metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
        spec: PodSpec;
      };
    }
  ).template;
  return {
    labels: template.metadata.labels,
    annotations: template.metadata.annotations ?? {},
    spec: template.spec,
  };
}

/** Whether every label of `selector` is among `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
