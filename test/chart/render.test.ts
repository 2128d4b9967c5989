// The chart rendered by the real helm binary, with the default values and with everything
// turned on: which objects exist and how they are wired, what is never rendered (credentials),
// how every container is hardened, and what the values schema and the templates refuse.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  chartDir,
  everythingOnValues,
  find,
  helm,
  helmOk,
  inventory,
  podTemplate,
  renderChart,
  selects,
  templateArgs,
  type Container,
  type KubeObject,
} from './chart-fixture.ts';

interface Rendered {
  text: string;
  objects: KubeObject[];
}

const DEFAULT_INVENTORY = [
  'ClusterRole/switchyard-operator',
  'ClusterRoleBinding/switchyard-operator',
  'Deployment/ai/switchyard-operator',
  'Deployment/ai/switchyard-proxy',
  'Role/ai/switchyard-operator',
  'Role/ai/switchyard-proxy',
  'RoleBinding/ai/switchyard-operator',
  'RoleBinding/ai/switchyard-proxy',
  'Service/ai/switchyard',
  'Service/ai/switchyard-operator-metrics',
  'Service/ai/switchyard-proxy-metrics',
  'ServiceAccount/ai/switchyard-operator',
  'ServiceAccount/ai/switchyard-proxy',
];

function spec<T>(object: KubeObject): T {
  return object['spec'] as T;
}

function containersOf(objects: readonly KubeObject[]): { owner: string; container: Container }[] {
  return objects
    .filter((object) => object.kind === 'Deployment')
    .flatMap((deployment) => {
      const { spec: pod } = podTemplate(deployment);
      return [...(pod.initContainers ?? []), ...pod.containers].map((container) => ({
        owner: `${deployment.metadata.name}/${container.name}`,
        container,
      }));
    });
}

function argAfter(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, index) => (arg === flag ? [args[index + 1] ?? ''] : []));
}

async function expectFailure(set: readonly string[], message: RegExp): Promise<void> {
  const result = await helm(templateArgs({ set }));
  assert.notEqual(result.code, 0, `helm template --set ${set.join(',')} should fail`);
  assert.match(result.stderr, message);
}

describe('the chart rendered by helm', () => {
  let defaults: Rendered;
  let everything: Rendered;

  before(async () => {
    [defaults, everything] = await Promise.all([
      renderChart(),
      renderChart({ valuesFiles: [everythingOnValues] }),
    ]);
  });

  test('helm lint --strict passes with the default values and with everything turned on', async () => {
    await helmOk(['lint', '--strict', chartDir]);
    await helmOk(['lint', '--strict', chartDir, '--values', everythingOnValues]);
  });

  test('the default values render the operator, the proxies, their RBAC and Services, and nothing optional', () => {
    assert.deepEqual(inventory(defaults.objects), DEFAULT_INVENTORY);
  });

  test('release switchyard gets the Service switchyard, port 80 forwarding to the proxy API port 8080', () => {
    const service = find(defaults.objects, 'Service', 'switchyard');
    const serviceSpec = spec<{
      type: string;
      selector: Record<string, string>;
      ports: { name: string; port: number; targetPort: string }[];
    }>(service);
    assert.equal(serviceSpec.type, 'ClusterIP');
    assert.deepEqual(
      serviceSpec.ports.map(({ name, port, targetPort }) => ({ name, port, targetPort })),
      [{ name: 'http', port: 80, targetPort: 'http' }],
    );
    const proxy = podTemplate(find(defaults.objects, 'Deployment', 'switchyard-proxy'));
    const operator = podTemplate(find(defaults.objects, 'Deployment', 'switchyard-operator'));
    assert.ok(selects(serviceSpec.selector, proxy.labels), 'the Service selects the proxy pods');
    assert.ok(!selects(serviceSpec.selector, operator.labels), 'and not the operator pods');
    const http = proxy.spec.containers[0]!.ports!.find((port) => port.name === 'http');
    assert.equal(http?.containerPort, 8080);
  });

  test('a release with another name prefixes its objects, and fullnameOverride replaces the prefix', async () => {
    const edge = await renderChart({ release: 'edge' });
    assert.ok(find(edge.objects, 'Service', 'edge-switchyard'));
    assert.ok(find(edge.objects, 'Deployment', 'edge-switchyard-proxy'));
    const named = await renderChart({ release: 'edge', set: ['fullnameOverride=llm'] });
    assert.ok(find(named.objects, 'Service', 'llm'));
    assert.ok(find(named.objects, 'ServiceAccount', 'llm-operator'));
  });

  test('everything turned on adds the HPA, the PDB, the ServiceMonitor and per-namespace RoleBindings', () => {
    const { objects } = everything;
    const kinds = new Set(objects.map((object) => object.kind));
    for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor']) {
      assert.ok(kinds.has(kind), `${kind} is rendered`);
    }
    assert.ok(!kinds.has('ClusterRoleBinding'), 'watched namespaces replace the cluster binding');
    const watchBindings = objects.filter(
      (object) =>
        object.kind === 'RoleBinding' && object.metadata.name === 'switchyard-operator-watch',
    );
    assert.deepEqual(watchBindings.map((binding) => binding.metadata.namespace).sort(), [
      'team-a',
      'team-b',
    ]);
    for (const binding of watchBindings) {
      assert.deepEqual(binding['roleRef'], {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'switchyard-operator',
      });
      assert.deepEqual(binding['subjects'], [
        { kind: 'ServiceAccount', name: 'switchyard-operator', namespace: 'ai' },
      ]);
    }
    const operatorArgs = podTemplate(find(objects, 'Deployment', 'switchyard-operator')).spec
      .containers[0]!.args!;
    assert.deepEqual(argAfter(operatorArgs, '--watch-namespace'), ['team-a', 'team-b']);
  });

  test('the HPA scales the proxy Deployment on CPU and requests in flight, which then leaves its replica count to it', () => {
    const { objects } = everything;
    const hpa = spec<{
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
      metrics: {
        type: string;
        resource?: { name: string; target: { averageUtilization: number } };
        pods?: { metric: { name: string }; target: { type: string; averageValue: string } };
      }[];
    }>(find(objects, 'HorizontalPodAutoscaler', 'switchyard-proxy'));
    assert.deepEqual(hpa.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'switchyard-proxy',
    });
    assert.equal(hpa.minReplicas, 3);
    assert.equal(hpa.maxReplicas, 30);
    assert.equal(hpa.metrics[0]!.resource?.name, 'cpu');
    assert.equal(hpa.metrics[0]!.resource?.target.averageUtilization, 60);
    assert.deepEqual(hpa.metrics[1], {
      type: 'Pods',
      pods: {
        metric: { name: 'switchyard_requests_in_flight' },
        target: { type: 'AverageValue', averageValue: '200' },
      },
    });
    assert.equal(hpa.metrics.length, 2);
    const deployment = spec<{ replicas?: number }>(find(objects, 'Deployment', 'switchyard-proxy'));
    assert.equal(deployment.replicas, undefined);
    assert.equal(
      spec<{ replicas?: number }>(find(defaults.objects, 'Deployment', 'switchyard-proxy'))
        .replicas,
      2,
    );
  });

  test('the PDB and the ServiceMonitor select the right pods and Services', () => {
    const { objects } = everything;
    const proxyPods = podTemplate(find(objects, 'Deployment', 'switchyard-proxy')).labels;
    const operatorPods = podTemplate(find(objects, 'Deployment', 'switchyard-operator')).labels;
    const pdb = spec<{
      minAvailable?: string;
      maxUnavailable?: number;
      selector: { matchLabels: Record<string, string> };
    }>(find(objects, 'PodDisruptionBudget', 'switchyard-proxy'));
    assert.equal(pdb.minAvailable, '50%');
    assert.equal(pdb.maxUnavailable, undefined, 'minAvailable wins over maxUnavailable');
    assert.ok(selects(pdb.selector.matchLabels, proxyPods));
    assert.ok(!selects(pdb.selector.matchLabels, operatorPods));

    const monitor = find(objects, 'ServiceMonitor', 'switchyard');
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(monitor.metadata.labels?.['release'], 'kube-prometheus-stack');
    const monitorSpec = spec<{
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; interval: string }[];
    }>(monitor);
    const scraped = objects
      .filter((object) => object.kind === 'Service')
      .filter((service) => selects(monitorSpec.selector.matchLabels, service.metadata.labels ?? {}))
      .map((service) => service.metadata.name)
      .sort();
    assert.deepEqual(scraped, ['switchyard-operator-metrics', 'switchyard-proxy-metrics']);
    assert.deepEqual(
      monitorSpec.endpoints.map(({ port, interval }) => ({ port, interval })),
      [{ port: 'metrics', interval: '15s' }],
    );
    assert.equal(defaults.objects.filter((object) => object.kind === 'ServiceMonitor').length, 0);
  });

  test('no Secret, config ConfigMap or credential is ever rendered (only dashboard ConfigMaps)', () => {
    for (const { objects: rendered } of [defaults, everything]) {
      // The one kind of ConfigMap the chart renders: Grafana boards, for the dashboard sidecar.
      const objects = rendered.filter(
        (object) =>
          !(object.kind === 'ConfigMap' && object.metadata.labels?.['grafana_dashboard'] === '1'),
      );
      const kinds = objects.map((object) => object.kind);
      assert.ok(!kinds.includes('Secret'), 'keys live in the users’ Secrets, never in the chart');
      assert.ok(!kinds.includes('ConfigMap'), 'the operator publishes the config, not helm');
      for (const object of objects) {
        assert.ok(!('data' in object) && !('stringData' in object), `${object.kind} carries data`);
      }
      for (const { owner, container } of containersOf(objects)) {
        for (const variable of container.env ?? []) {
          // A *_FILE variable holds a path to a mounted Secret, not a credential.
          const looksSecret =
            /key|token|secret|password|credential/i.test(variable.name) &&
            !variable.name.endsWith('_FILE');
          assert.ok(
            !(looksSecret && variable.value !== undefined),
            `${owner} sets ${variable.name}`,
          );
        }
      }
    }
    assert.doesNotMatch(defaults.text + everything.text, /sk-[A-Za-z0-9]|REPLACE_ME|apiKey:/);
  });

  test('every container requests CPU and memory and runs non-root, read-only, without capabilities', () => {
    for (const { objects } of [defaults, everything]) {
      const deployments = objects.filter((object) => object.kind === 'Deployment');
      assert.equal(deployments.length, 2);
      for (const deployment of deployments) {
        const pod = podTemplate(deployment).spec;
        assert.equal(pod.securityContext?.['runAsNonRoot'], true);
        assert.deepEqual(pod.securityContext?.['seccompProfile'], { type: 'RuntimeDefault' });
        assert.ok(
          pod.volumes?.some((volume) => volume.name === 'tmp' && volume.emptyDir !== undefined),
          'a writable /tmp next to the read-only root filesystem',
        );
      }
      const containers = containersOf(objects);
      assert.equal(containers.length, 2);
      for (const { owner, container } of containers) {
        assert.ok(container.resources?.requests?.['cpu'] !== undefined, `${owner} requests CPU`);
        assert.ok(
          container.resources?.requests?.['memory'] !== undefined,
          `${owner} requests memory`,
        );
        assert.ok(container.resources?.limits?.['memory'] !== undefined, `${owner} limits memory`);
        assert.deepEqual(
          container.securityContext,
          {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          owner,
        );
        assert.ok(
          container.volumeMounts?.some((mount) => mount.mountPath === '/tmp'),
          owner,
        );
      }
    }
  });

  test('both components learn the release namespace from the downward API and probe their health endpoints', () => {
    for (const { objects } of [defaults, everything]) {
      for (const { owner, container } of containersOf(objects)) {
        const namespace = container.env?.find((variable) => variable.name === 'POD_NAMESPACE');
        assert.deepEqual(
          namespace?.valueFrom,
          { fieldRef: { fieldPath: 'metadata.namespace' } },
          owner,
        );
        assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', owner);
        assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', owner);
      }
    }
    const operator = podTemplate(find(defaults.objects, 'Deployment', 'switchyard-operator')).spec
      .containers[0]!;
    assert.equal(operator.readinessProbe?.httpGet?.port, 'metrics');
    assert.equal(operator.ports?.find((port) => port.name === 'metrics')?.containerPort, 8081);
  });

  test('the operator gets its port, leader election timings and log level as flags', () => {
    const deployment = find(defaults.objects, 'Deployment', 'switchyard-operator');
    assert.equal(spec<{ replicas: number }>(deployment).replicas, 2);
    const args = podTemplate(deployment).spec.containers[0]!.args!;
    assert.equal(args[0], 'operator');
    assert.deepEqual(argAfter(args, '--port'), ['8081']);
    assert.deepEqual(argAfter(args, '--lease-duration'), ['15']);
    assert.deepEqual(argAfter(args, '--renew-deadline'), ['10']);
    assert.deepEqual(argAfter(args, '--retry-period'), ['2']);
    assert.deepEqual(argAfter(args, '--log-level'), ['info']);
    assert.deepEqual(argAfter(args, '--watch-namespace'), []);
  });

  test('the proxy serves in cluster mode and drains before SIGTERM', () => {
    const pod = podTemplate(find(defaults.objects, 'Deployment', 'switchyard-proxy')).spec;
    const proxy = pod.containers[0]!;
    assert.deepEqual(proxy.args, [
      'serve',
      '--kube',
      '--port',
      '8080',
      '--metrics-port',
      '9090',
      ...['--max-body-bytes', '10485760', '--max-in-flight-body-bytes', '67108864'],
      ...['--headers-timeout-ms', '15000', '--body-timeout-ms', '60000'],
      ...['--body-idle-timeout-ms', '15000', '--budget-fleet-size', '2'],
    ]);
    assert.equal(proxy.image, 'ghcr.io/switchyard-dev/switchyard:0.1.0');
    const drain = proxy.lifecycle?.preStop?.sleep?.seconds ?? 0;
    assert.ok(drain > 0);
    assert.ok((pod.terminationGracePeriodSeconds ?? 30) > drain);

    const tuned = podTemplate(find(everything.objects, 'Deployment', 'switchyard-proxy'));
    const tunedProxy = tuned.spec.containers[0]!;
    assert.deepEqual(tunedProxy.args, [
      'serve',
      '--kube',
      '--port',
      '8000',
      '--metrics-port',
      '9100',
      '--quiet',
      ...['--max-body-bytes', '1048576', '--max-in-flight-body-bytes', '16777216'],
      ...['--headers-timeout-ms', '5000', '--body-timeout-ms', '20000'],
      ...['--body-idle-timeout-ms', '5000', '--budget-fleet-size', '30'],
      ...['--trust-tenant-header-from', '10.0.0.0/8,fd00::/8'],
    ]);
    assert.match(tunedProxy.image, /@sha256:[0-9a-f]{64}$/);
    assert.equal(tuned.spec.terminationGracePeriodSeconds, 90);
    const zone = tuned.spec.topologySpreadConstraints?.[0];
    assert.deepEqual(zone?.['labelSelector'], {
      matchLabels: {
        'app.kubernetes.io/component': 'proxy',
        'app.kubernetes.io/instance': 'switchyard',
        'app.kubernetes.io/name': 'switchyard',
      },
    });
  });

  test('pods carry Prometheus scrape annotations unless they are turned off', () => {
    const proxy = podTemplate(find(defaults.objects, 'Deployment', 'switchyard-proxy'));
    assert.deepEqual(proxy.annotations, {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      'prometheus.io/path': '/metrics',
    });
    const tuned = podTemplate(find(everything.objects, 'Deployment', 'switchyard-proxy'));
    assert.deepEqual(tuned.annotations, { 'example.com/owner': 'platform' });
  });

  test('values.schema.json rejects a mistyped value, a misspelt key and a malformed quantity', async () => {
    const schemaError = /values don't meet the specifications of the schema/;
    await expectFailure(['proxy.replicas=abc'], schemaError);
    await expectFailure(['proxy.replicas=abc'], /\/proxy\/replicas.*want integer/);
    await expectFailure(['proxy.replica=3'], /additional properties 'replica' not allowed/);
    await expectFailure(
      ['operator.resources.requests.memory=128mb'],
      /\/operator\/resources\/requests\/memory/,
    );
    await expectFailure(['operator.logLevel=verbose'], schemaError);
    await expectFailure(['proxy.service.type=ExternalName'], schemaError);
  });

  test('values that contradict each other fail with a message that says what to fix', async () => {
    await expectFailure(
      ['operator.renewDeadlineSeconds=20'],
      /retryPeriodSeconds < renewDeadlineSeconds < leaseDurationSeconds/,
    );
    await expectFailure(
      ['proxy.preStopSleepSeconds=60'],
      /terminationGracePeriodSeconds must exceed preStopSleepSeconds/,
    );
    await expectFailure(
      [
        'proxy.autoscaling.enabled=true',
        'proxy.autoscaling.minReplicas=5',
        'proxy.autoscaling.maxReplicas=2',
      ],
      /minReplicas must not exceed maxReplicas/,
    );
    await expectFailure(
      ['proxy.limits.maxInFlightBodyBytes=1000'],
      /maxInFlightBodyBytes must be at least maxBodyBytes/,
    );
  });
});

test('proxy.redisURL reaches the proxies and the operator as SWITCHYARD_REDIS_URL, and a malformed one is refused', async () => {
  const rendered = await renderChart({ valuesFiles: [everythingOnValues] });
  const envOf = (name: string) =>
    (
      podTemplate(find(rendered.objects, 'Deployment', name)).spec.containers[0] as {
        env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
      }
    ).env ?? [];
  for (const name of ['switchyard-proxy', 'switchyard-operator']) {
    assert.equal(
      envOf(name).find((e) => e.name === 'SWITCHYARD_REDIS_URL')?.value,
      'redis://redis.ai.svc.cluster.local:6379',
      name,
    );
  }
  assert.equal(
    envOf('switchyard-proxy').find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath,
    'metadata.name',
    'each proxy is counted by its pod name in status.live',
  );
  await expectFailure(['proxy.redisURL=localhost:6379'], /redisURL/);
});

test('proxy.apiKeysSecret mounts the client keys and points the proxy at them', async () => {
  const rendered = await renderChart({ valuesFiles: [everythingOnValues] });
  const proxy = podTemplate(find(rendered.objects, 'Deployment', 'switchyard-proxy'));
  const container = proxy.spec.containers[0] as {
    env?: { name: string; value?: string }[];
    volumeMounts?: { name: string; mountPath: string }[];
  };
  assert.equal(
    container.env?.find((e) => e.name === 'SWITCHYARD_API_KEYS_FILE')?.value,
    '/etc/switchyard/api-keys/keys',
  );
  assert.ok(
    container.volumeMounts?.some(
      (m) => m.name === 'api-keys' && m.mountPath === '/etc/switchyard/api-keys',
    ),
  );
});
