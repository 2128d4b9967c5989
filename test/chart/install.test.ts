// `helm install`, `helm upgrade` and `helm uninstall` of the chart against a real kube-apiserver,
// as a user would run them. There is no kubelet or controller manager, so pods never run: the
// tests check what the API server stored and what the chart's service accounts may do, asked of
// the real RBAC authorizer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { chartDir, helm, helmOk } from './chart-fixture.ts';
import { chartOperatorStarts } from './chart-operator.ts';

const NAMESPACE = 'ai';
const CRDS = ['crd/modelproviders.switchyard.dev', 'crd/routepolicies.switchyard.dev'];

/** One `kubectl auth can-i` question, asked as a service account. */
interface Question {
  readonly verb: string;
  readonly resource: string;
  /** A namespace, or `*` for all namespaces. */
  readonly namespace: string;
  readonly subresource?: string;
}

describe('the chart installed into a real control plane', () => {
  let cp: ControlPlane;
  let kubeconfig: string[];
  /** Set by the install test; the tests that read the release skip, rather than pile up errors, without it. */
  let installed = false;

  before(async () => {
    cp = await startControlPlane();
    kubeconfig = ['--kubeconfig', cp.kubeconfigPath];
  });

  after(async () => {
    await cp?.stop();
  });

  const env = (): Record<string, string> => ({ KUBECACHEDIR: cp.env['KUBECACHEDIR'] ?? '' });

  const names = async (resource: string, namespace?: string): Promise<string[]> => {
    const scope = namespace === undefined ? [] : ['-n', namespace];
    const output = await cp.kubectlOk(['get', resource, ...scope, '-o', 'name']);
    return output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.slice(line.indexOf('/') + 1))
      .sort();
  };

  const answers = async (account: string, questions: readonly Question[]): Promise<string[]> =>
    Promise.all(
      questions.map(async (question) => {
        const args = ['auth', 'can-i', question.verb, question.resource];
        if (question.subresource !== undefined) args.push(`--subresource=${question.subresource}`);
        if (question.namespace === '*') args.push('--all-namespaces');
        else args.push('-n', question.namespace);
        args.push('--as', account);
        const result = await cp.kubectl(args);
        return `${question.verb} ${question.resource} in ${question.namespace}: ${result.stdout.trim()}`;
      }),
    );

  const expectAnswers = async (
    account: string,
    questions: readonly Question[],
    expected: 'yes' | 'no',
  ): Promise<void> => {
    const got = await answers(account, questions);
    assert.deepEqual(
      got.filter((answer) => !answer.endsWith(`: ${expected}`)),
      [],
      `${account} should be answered "${expected}"`,
    );
  };

  test('helm install creates the CRDs, the Deployments, the Services and the RBAC, and prints the URL', async () => {
    const output = await helmOk(
      ['install', 'switchyard', chartDir, '-n', NAMESPACE, '--create-namespace', ...kubeconfig],
      env(),
    );
    assert.match(output, /STATUS: deployed/);
    assert.match(output, /http:\/\/switchyard\.ai\.svc\.cluster\.local\/v1/);
    assert.match(output, /kubectl apply -n ai -f examples\/model-providers\.yaml/);
    installed = true;

    await cp.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...CRDS]);
    assert.deepEqual(await names('deployments', NAMESPACE), [
      'switchyard-operator',
      'switchyard-proxy',
    ]);
    assert.deepEqual(await names('services', NAMESPACE), [
      'switchyard',
      'switchyard-operator-metrics',
      'switchyard-proxy-metrics',
    ]);
    // `default` comes from the controller manager, which these tests do not run.
    assert.deepEqual(await names('serviceaccounts', NAMESPACE), [
      'switchyard-operator',
      'switchyard-proxy',
    ]);
    assert.deepEqual(await names('roles', NAMESPACE), ['switchyard-operator', 'switchyard-proxy']);
    assert.deepEqual(await names('rolebindings', NAMESPACE), [
      'switchyard-operator',
      'switchyard-proxy',
    ]);
    assert.ok((await names('clusterroles')).includes('switchyard-operator'));
    assert.ok((await names('clusterrolebindings')).includes('switchyard-operator'));
    const secrets = await cp.kubectlOk([
      'get',
      'secrets',
      '-n',
      NAMESPACE,
      '--field-selector=type!=helm.sh/release.v1',
      '-o',
      'name',
    ]);
    assert.equal(secrets, '', 'the chart stores no Secret (only helm its release record)');

    const service = JSON.parse(
      await cp.kubectlOk(['get', 'service', 'switchyard', '-n', NAMESPACE, '-o', 'json']),
    ) as { spec: { clusterIP: string; ports: { port: number; targetPort: string }[] } };
    assert.match(service.spec.clusterIP, /^10\.0\.0\.\d+$/);
    assert.deepEqual(
      service.spec.ports.map(({ port, targetPort }) => ({ port, targetPort })),
      [{ port: 80, targetPort: 'http' }],
    );
  });

  test("the proxy's service account may read the published config and credentials, and no other Secret", async (t) => {
    if (!installed) return t.skip('helm install failed');
    const proxy = `system:serviceaccount:${NAMESPACE}:switchyard-proxy`;
    await expectAnswers(
      proxy,
      [
        { verb: 'get', resource: 'configmap/switchyard-config', namespace: NAMESPACE },
        { verb: 'watch', resource: 'configmap/switchyard-config', namespace: NAMESPACE },
        { verb: 'get', resource: 'secret/switchyard-credentials', namespace: NAMESPACE },
      ],
      'yes',
    );
    await expectAnswers(
      proxy,
      [
        { verb: 'get', resource: 'secrets', namespace: NAMESPACE },
        { verb: 'get', resource: 'secret/openai', namespace: NAMESPACE },
        { verb: 'list', resource: 'secrets', namespace: NAMESPACE },
        { verb: 'get', resource: 'configmap/other', namespace: NAMESPACE },
        { verb: 'patch', resource: 'configmap/switchyard-config', namespace: NAMESPACE },
        { verb: 'get', resource: 'secret/switchyard-credentials', namespace: 'default' },
        { verb: 'list', resource: 'modelproviders.switchyard.dev', namespace: NAMESPACE },
      ],
      'no',
    );
  });

  test("the operator's service account may read its kinds everywhere and write only its own objects", async (t) => {
    if (!installed) return t.skip('helm install failed');
    const operator = `system:serviceaccount:${NAMESPACE}:switchyard-operator`;
    await expectAnswers(
      operator,
      [
        { verb: 'list', resource: 'modelproviders.switchyard.dev', namespace: '*' },
        { verb: 'watch', resource: 'routepolicies.switchyard.dev', namespace: 'team-a' },
        {
          verb: 'patch',
          resource: 'routepolicies.switchyard.dev',
          subresource: 'status',
          namespace: 'team-a',
        },
        { verb: 'list', resource: 'secrets', namespace: '*' },
        { verb: 'create', resource: 'events', namespace: 'team-a' },
        { verb: 'patch', resource: 'configmap/switchyard-config', namespace: NAMESPACE },
        { verb: 'patch', resource: 'secret/switchyard-credentials', namespace: NAMESPACE },
        {
          verb: 'update',
          resource: 'leases.coordination.k8s.io/switchyard-operator',
          namespace: NAMESPACE,
        },
      ],
      'yes',
    );
    await expectAnswers(
      operator,
      [
        { verb: 'patch', resource: 'routepolicies.switchyard.dev', namespace: 'team-a' },
        { verb: 'patch', resource: 'secret/openai', namespace: 'team-a' },
        { verb: 'create', resource: 'configmaps', namespace: NAMESPACE },
        { verb: 'delete', resource: 'secret/switchyard-credentials', namespace: NAMESPACE },
        { verb: 'create', resource: 'deployments.apps', namespace: NAMESPACE },
      ],
      'no',
    );
  });

  test("the release's operator starts as its Deployment runs it: its arguments, its service account", async (t) => {
    if (!installed) return t.skip('helm install failed');
    // Its preflight checks every prerequisite against the chart's RBAC and the release namespace.
    await chartOperatorStarts(cp, NAMESPACE, 'switchyard-operator');
  });

  test('helm upgrade applies changed values to the stored objects', async (t) => {
    if (!installed) return t.skip('helm install failed');
    await helmOk(
      [
        'upgrade',
        'switchyard',
        chartDir,
        '-n',
        NAMESPACE,
        '--set',
        'operator.replicas=3',
        '--set',
        'proxy.autoscaling.enabled=true',
        '--set',
        'proxy.autoscaling.targetRequestsInFlight=150',
        '--set',
        'proxy.podDisruptionBudget.enabled=true',
        ...kubeconfig,
      ],
      env(),
    );
    const replicas = await cp.kubectlOk([
      'get',
      'deployment/switchyard-operator',
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    assert.equal(replicas, '3');
    assert.deepEqual(await names('horizontalpodautoscalers', NAMESPACE), ['switchyard-proxy']);
    // The API server took the HPA with both its CPU and its requests-in-flight (Pods) metric.
    const hpaMetrics = await cp.kubectlOk([
      'get',
      'hpa/switchyard-proxy',
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.spec.metrics[*].type} {.spec.metrics[1].pods.metric.name}={.spec.metrics[1].pods.target.averageValue}',
    ]);
    assert.equal(hpaMetrics, 'Resource Pods switchyard_requests_in_flight=150');
    assert.deepEqual(await names('poddisruptionbudgets', NAMESPACE), ['switchyard-proxy']);
    const status = JSON.parse(
      await helmOk(['status', 'switchyard', '-n', NAMESPACE, '-o', 'json', ...kubeconfig], env()),
    ) as { version: number; info: { status: string } };
    assert.equal(status.version, 2);
    assert.equal(status.info.status, 'deployed');
  });

  test('a release limited to some namespaces lets its operator read only there', async () => {
    await cp.kubectlOk(['create', 'namespace', 'team-a']);
    await cp.kubectlOk(['create', 'namespace', 'team-b']);
    await helmOk(
      [
        'install',
        'team',
        chartDir,
        '-n',
        'team-ai',
        '--create-namespace',
        '--set',
        'operator.watchNamespaces={team-a}',
        ...kubeconfig,
      ],
      env(),
    );
    const operator = 'system:serviceaccount:team-ai:team-switchyard-operator';
    await expectAnswers(
      operator,
      [
        { verb: 'list', resource: 'modelproviders.switchyard.dev', namespace: 'team-a' },
        { verb: 'get', resource: 'secret/openai', namespace: 'team-a' },
        { verb: 'patch', resource: 'configmap/switchyard-config', namespace: 'team-ai' },
      ],
      'yes',
    );
    await expectAnswers(
      operator,
      [
        { verb: 'list', resource: 'modelproviders.switchyard.dev', namespace: 'team-b' },
        { verb: 'get', resource: 'secret/openai', namespace: 'team-b' },
        { verb: 'list', resource: 'secrets', namespace: '*' },
      ],
      'no',
    );
    // With a RoleBinding in team-a only, the operator starts because it watches only team-a.
    await chartOperatorStarts(cp, 'team-ai', 'team-switchyard-operator');
    await helmOk(['uninstall', 'team', '-n', 'team-ai', ...kubeconfig], env());
  });

  test('helm uninstall removes the release and keeps the CRDs and the resources stored in them', async (t) => {
    if (!installed) return t.skip('helm install failed');
    await cp.kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'ModelProvider',
        metadata: { name: 'local' },
        spec: {
          api: 'openai',
          baseURL: 'http://vllm.ai.svc:8000/v1',
          models: [
            {
              name: 'llama',
              contextWindow: 8192,
              pricing: { inputPerMillion: 0, outputPerMillion: 0 },
            },
          ],
        },
      }),
    });
    const uninstalled = await helm(
      ['uninstall', 'switchyard', '-n', NAMESPACE, ...kubeconfig],
      env(),
    );
    assert.equal(uninstalled.code, 0, uninstalled.stderr);
    assert.deepEqual(await names('deployments,services,serviceaccounts', NAMESPACE), []);
    assert.deepEqual(await names('roles,rolebindings,horizontalpodautoscalers', NAMESPACE), []);
    assert.ok(!(await names('clusterroles')).includes('switchyard-operator'));
    assert.ok(!(await names('clusterrolebindings')).includes('switchyard-operator'));
    await cp.kubectlOk(['get', ...CRDS]);
    assert.deepEqual(await names('modelproviders', NAMESPACE), ['local']);
    const releases = await helmOk(['list', '-A', '-q', ...kubeconfig], env());
    assert.equal(releases.trim(), '');
  });
});
