// What the end-to-end suite deploys besides the chart: the fake providers as a pod behind a
// Service, an application pod with the OpenAI SDK, namespaces enforcing the restricted Pod
// Security Standard, and examples/ pointed at the fakes.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workloadReference } from '../harness/node/images.ts';
import { repoRoot } from '../harness/tools.ts';

/** Namespaces of the suite: the release, the fake providers, the application. */
export const namespaces = { release: 'ai', providers: 'providers', apps: 'apps' } as const;

/** The key every fake demands and every Secret carries, so credentials are checked end to end. */
export const providerKey = 'sk-e2e-provider-key';

const fakePorts = { openai: 8000, anthropic: 8001, gemini: 8002 } as const;

/** Every container of the suite runs as the restricted Pod Security Standard demands. */
const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function namespace(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  };
}

function fakeContainer(api: keyof typeof fakePorts): object {
  const port = fakePorts[api];
  const args = ['test/fakes/main.ts', '--api', api, '--host', '0.0.0.0', '--port', String(port)];
  return {
    name: `fake-${api}`,
    image: workloadReference,
    imagePullPolicy: 'Never',
    args: [...args, '--api-key', providerKey],
    ports: [{ name: api, containerPort: port }],
    readinessProbe: { httpGet: { path: '/__fake/health', port }, periodSeconds: 2 },
    securityContext: restricted,
  };
}

/** The namespaces, the fake providers (one pod, three APIs, one Service) and the client pod. */
export function workloadManifests(): string {
  const labels = { app: 'fake-providers' };
  const items = [
    namespace(namespaces.release),
    namespace(namespaces.providers),
    namespace(namespaces.apps),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'fake-providers', namespace: namespaces.providers },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              fakeContainer('openai'),
              fakeContainer('anthropic'),
              fakeContainer('gemini'),
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fake-providers', namespace: namespaces.providers },
      spec: {
        selector: labels,
        ports: Object.entries(fakePorts).map(([name, port]) => ({ name, port, targetPort: port })),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: namespaces.apps },
      spec: {
        // An idle process to `kubectl exec` the SDK client in; the image has no shell or sleep.
        containers: [
          {
            name: 'client',
            image: workloadReference,
            imagePullPolicy: 'Never',
            args: ['-e', 'setInterval(() => {}, 1 << 30)'],
            securityContext: restricted,
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory' } }],
        terminationGracePeriodSeconds: 0,
      },
    },
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** Base URL of the fake that speaks `api`, as a ModelProvider's baseURL. */
function fakeURL(api: string): string {
  const host = `fake-providers.${namespaces.providers}.svc.cluster.local`;
  if (api === 'anthropic') return `http://${host}:${fakePorts.anthropic}`;
  if (api === 'gemini') return `http://${host}:${fakePorts.gemini}/v1beta`;
  return `http://${host}:${fakePorts.openai}/v1`;
}

/**
 * Copies examples/ into a temp folder with each ModelProvider's baseURL pointed at the fake for
 * its API and every REPLACE_ME key replaced, and returns the folder (for `kubectl apply -f`).
 */
export function examplesPointedAtFakes(): string {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-e2e-examples-'));
  const examples = join(repoRoot, 'examples');
  for (const file of readdirSync(examples).filter((name) => name.endsWith('.yaml'))) {
    let text = readFileSync(join(examples, file), 'utf8').replaceAll('REPLACE_ME', providerKey);
    // Each document names its api before its baseURL.
    text = text.replace(
      /^(\s*api:\s*)(\w+)([^]*?^\s*baseURL:\s*)\S+/gm,
      (_, api: string, name: string, between: string) => `${api}${name}${between}${fakeURL(name)}`,
    );
    writeFileSync(join(out, file.replace('.example', '')), text);
  }
  return out;
}
