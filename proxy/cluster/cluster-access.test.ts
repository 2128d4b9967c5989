import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fromKubeconfig, inCluster, resolveClusterAccess } from './cluster-access.ts';

const dir = mkdtempSync(join(tmpdir(), 'cluster-access-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function kubeconfig(cluster: object, user: object, name = `kc-${Math.random()}`): string {
  return write(
    name,
    JSON.stringify({
      'current-context': 'ctx',
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443/', ...cluster } }],
      users: [{ name: 'u', user }],
    }),
  );
}

test('a kubeconfig with a token and a CA file relative to the kubeconfig', async () => {
  write('ca.pem', 'CA-PEM');
  const access = fromKubeconfig(kubeconfig({ 'certificate-authority': 'ca.pem' }, { token: 't1' }));
  assert.equal(access.server, 'https://10.0.0.1:6443');
  assert.deepEqual(access.tls, { ca: 'CA-PEM' });
  assert.deepEqual(await access.headers(), { authorization: 'Bearer t1' });
});

test('inline CA and client certificate data, and insecure-skip-tls-verify', async () => {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const access = fromKubeconfig(
    kubeconfig(
      { 'certificate-authority-data': b64('CA'), 'insecure-skip-tls-verify': true },
      { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
    ),
  );
  assert.deepEqual(access.tls, {
    ca: 'CA',
    rejectUnauthorized: false,
    cert: 'CERT',
    key: 'KEY',
  });
  assert.deepEqual(await access.headers(), {});
});

test('a token file is read again for every request (projected tokens rotate)', async () => {
  const tokenFile = write('token', 'first\n');
  const access = fromKubeconfig(kubeconfig({}, { tokenFile }));
  assert.deepEqual(await access.headers(), { authorization: 'Bearer first' });
  writeFileSync(tokenFile, 'second');
  assert.deepEqual(await access.headers(), { authorization: 'Bearer second' });
});

test('a kubeconfig without its current context or server says what is missing', () => {
  const noContext = write('no-context', JSON.stringify({ 'current-context': 'gone' }));
  assert.throws(() => fromKubeconfig(noContext), /no current-context "gone"/);
  const noServer = write(
    'no-server',
    JSON.stringify({
      'current-context': 'ctx',
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      clusters: [{ name: 'c', cluster: {} }],
    }),
  );
  assert.throws(() => fromKubeconfig(noServer), /cluster "c" has no server/);
});

test('in a pod: the service host from the environment, the CA and a fresh token from files', async () => {
  const sa = mkdtempSync(join(dir, 'sa-'));
  writeFileSync(join(sa, 'ca.crt'), 'POD-CA');
  writeFileSync(join(sa, 'token'), 'pod-token');
  const access = inCluster(sa, {
    KUBERNETES_SERVICE_HOST: 'fd00::1',
    KUBERNETES_SERVICE_PORT: '443',
  });
  assert.equal(access.server, 'https://[fd00::1]:443');
  assert.deepEqual(access.tls, { ca: 'POD-CA' });
  assert.deepEqual(await access.headers(), { authorization: 'Bearer pod-token' });
  assert.throws(() => inCluster(sa, {}), /not in a pod \(KUBERNETES_SERVICE_HOST is not set\)/);
});

test('KUBECONFIG: the first listed file that exists', async () => {
  const path = kubeconfig({}, { token: 'from-env' });
  const access = resolveClusterAccess(undefined, {
    KUBECONFIG: [join(dir, 'missing'), path].join(':'),
  });
  assert.deepEqual(await access.headers(), { authorization: 'Bearer from-env' });
});

test('a server behind a path-routing proxy keeps its path; tls-server-name sets the TLS name', () => {
  const access = fromKubeconfig(
    kubeconfig(
      { server: 'https://rancher.example:443/k8s/clusters/c-1/', 'tls-server-name': 'kubernetes' },
      { token: 't' },
    ),
  );
  assert.equal(access.server, 'https://rancher.example:443/k8s/clusters/c-1');
  assert.deepEqual(access.tls, { servername: 'kubernetes' });
});
