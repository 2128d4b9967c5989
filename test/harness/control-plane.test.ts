// The control-plane harness starts a real kube-apiserver + etcd that kubectl can drive, CRDs
// included, and several can run at once.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startControlPlane } from './control-plane.ts';

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.harness.switchyard.dev' },
  spec: {
    group: 'harness.switchyard.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { size: { type: 'integer', minimum: 1 } },
                required: ['size'],
              },
            },
          },
        },
      },
    ],
  },
};

test('startControlPlane serves v1.34, namespaces, CRDs and RBAC through kubectl', async () => {
  const started = performance.now();
  const cp = await startControlPlane();
  const startupMs = Math.round(performance.now() - started);
  try {
    console.log(`control plane ready in ${startupMs} ms at ${cp.server}`);
    const version = await cp.request('GET', '/version');
    assert.equal(version.status, 200);
    assert.match((version.json as { gitVersion: string }).gitVersion, /^v1\.34\.\d+$/);

    await cp.kubectlOk(['create', 'namespace', 'harness']);
    const namespace = await cp.kubectlOk([
      'get',
      'namespace',
      'harness',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    assert.equal(namespace, 'Active');

    const crdFile = join(cp.dir, 'widgets-crd.json');
    writeFileSync(crdFile, JSON.stringify(widgetCrd));
    await cp.applyCrds([crdFile]);
    const established = await cp.kubectlOk([
      'get',
      'crd',
      'widgets.harness.switchyard.dev',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Established")].status}',
    ]);
    assert.equal(established, 'True');

    const widget = {
      apiVersion: 'harness.switchyard.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
    };
    await cp.kubectlOk(['apply', '-n', 'harness', '-f', '-'], {
      input: JSON.stringify({ ...widget, spec: { size: 3 } }),
    });
    const invalid = await cp.kubectl(['apply', '-n', 'harness', '-f', '-'], {
      input: JSON.stringify({ ...widget, metadata: { name: 'bad' }, spec: { size: 0 } }),
    });
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /spec\.size/);

    // RBAC is on: a service account with no role binding may not list widgets.
    await cp.kubectlOk(['create', 'serviceaccount', 'reader', '-n', 'harness']);
    const saToken = (await cp.kubectlOk(['create', 'token', 'reader', '-n', 'harness'])).trim();
    const asReader = cp.kubeconfigFor(saToken, 'reader');
    const forbidden = await cp.kubectl(['get', 'widgets', '-n', 'harness'], {
      kubeconfig: asReader,
    });
    assert.notEqual(forbidden.code, 0);
    assert.match(forbidden.stderr, /forbidden/);
    const anonymous = await cp.request('GET', '/api/v1/namespaces', undefined, '');
    assert.equal(anonymous.status, 403);
  } finally {
    await cp.stop();
  }
  await assert.rejects(cp.request('GET', '/readyz'));
});

test('the controller manager garbage-collects dependents and finishes namespace deletion', async () => {
  const cp = await startControlPlane({ controllerManager: true });
  try {
    await cp.kubectlOk(['create', 'configmap', 'owner']);
    const uid = await cp.kubectlOk(['get', 'configmap', 'owner', '-o', 'jsonpath={.metadata.uid}']);
    const dependent = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'dependent',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }],
      },
    };
    await cp.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(dependent) });
    await cp.kubectlOk(['delete', 'configmap', 'owner']);
    await cp.kubectlOk(['wait', '--for=delete', 'configmap/dependent', '--timeout=60s']);

    await cp.kubectlOk(['create', 'namespace', 'doomed']);
    await cp.kubectlOk(['create', 'configmap', 'inside', '-n', 'doomed']);
    await cp.kubectlOk(['delete', 'namespace', 'doomed', '--wait=true', '--timeout=60s']);
    const gone = await cp.kubectl(['get', 'namespace', 'doomed']);
    assert.match(gone.stderr, /NotFound/);
  } finally {
    await cp.stop();
  }
});

test('two control planes run side by side without sharing state', async () => {
  const [a, b] = await Promise.all([startControlPlane(), startControlPlane()]);
  try {
    assert.notEqual(a.server, b.server);
    await a.kubectlOk(['create', 'namespace', 'only-in-a']);
    assert.equal((await a.request('GET', '/api/v1/namespaces/only-in-a')).status, 200);
    assert.equal((await b.request('GET', '/api/v1/namespaces/only-in-a')).status, 404);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
