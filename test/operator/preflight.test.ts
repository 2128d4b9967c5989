// `switchyard operator` with a prerequisite missing, on a real API server: one line on stderr that
// names the fix and exit status 1, instead of retrying forever ("lease update failed … namespace
// not found" every 2 s). The control plane starts bare and gains one prerequisite per step: the
// CRDs, the namespace, then the least-privilege RBAC of deploy/rbac, which is taken apart rule by
// rule. The operator runs as users run it, a `switchyard operator` process.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dump, loadAll } from 'js-yaml';
import { hasStackTrace, switchyardWithEnv, type Run } from '../cli/run-switchyard.ts';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { freePort } from '../harness/ports.ts';
import { repoRoot } from '../harness/tools.ts';
import { crdPaths, kubeconfigVia, SYSTEM_NAMESPACE as SYS, waitFor } from './operator-cluster.ts';
import { operatorStartsAndStops } from './operator-process.ts';

const OPERATOR_SA = `system:serviceaccount:${SYS}:switchyard-operator`;
const RBAC_FILE = join(repoRoot, 'deploy/rbac/operator.yaml');
const TIMEOUT = { timeout: 60_000 };

interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { resources: string[]; verbs: string[] }[];
}

/** deploy/rbac/operator.yaml as objects, to take apart. */
function rbacObjects(): RbacObject[] {
  return loadAll(readFileSync(RBAC_FILE, 'utf8')) as RbacObject[];
}

/** Runs `switchyard operator` and expects it to give up at once with one line on stderr. */
async function refused(...args: string[]): Promise<string> {
  return refusedWith(process.env, ...args);
}

/** The same, with the given environment. */
async function refusedWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const run: Run = await switchyardWithEnv(
    env,
    'operator',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    ...args,
  );
  assert.equal(run.status, 1, `expected exit status 1:\n${run.output}`);
  assert.equal(hasStackTrace(run.output), false, run.output);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line:\n${run.stderr}`);
  assert.match(lines[0]!, /^switchyard operator: /);
  return lines[0]!;
}

/** deploy/rbac/operator.yaml with the ClusterRole's rules that `drop` picks removed. */
const clusterRoleWithout =
  (drop: (rule: { resources: string[] }) => boolean) =>
  (objects: RbacObject[]): RbacObject[] =>
    objects.map((o) =>
      o.kind === 'ClusterRole' ? { ...o, rules: (o.rules ?? []).filter((r) => !drop(r)) } : o,
    );

describe('switchyard operator refuses to start without its prerequisites', () => {
  let cp: ControlPlane;
  let admin: string[];
  let serviceAccount: string[];

  /** Applies deploy/rbac/operator.yaml, changed by `edit`, and waits until the authorizer agrees. */
  const applyRbac = async (edit: (objects: RbacObject[]) => RbacObject[] = (o) => o) => {
    const objects = edit(rbacObjects());
    await cp.kubectlOk(['apply', '-f', '-'], { input: objects.map((o) => dump(o)).join('---\n') });
  };
  const deleteRbac = (kind: string, name: string, namespace?: string) =>
    cp.kubectlOk(['delete', kind, name, ...(namespace ? ['-n', namespace] : [])]);
  /** Waits until the RBAC authorizer's cache answers `can-i` as expected (it follows a watch). */
  const untilCanI = (verb: string, resource: string, where: string[], expected: 'yes' | 'no') =>
    waitFor(`can-i ${verb} ${resource} to be ${expected}`, async () => {
      const result = await cp.kubectl([
        'auth',
        'can-i',
        verb,
        resource,
        ...where,
        '--as',
        OPERATOR_SA,
      ]);
      return result.stdout.trim() === expected ? true : undefined;
    });

  before(async () => {
    cp = await startControlPlane();
    admin = ['--kubeconfig', cp.kubeconfigPath];
  });

  after(async () => {
    await cp?.stop();
  });

  test(
    'no kubeconfig anywhere, outside a pod, is said as such (not as localhost:8080)',
    TIMEOUT,
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'switchyard-home-'));
      try {
        const env = { ...process.env, HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };
        const line = await refusedWith(env);
        assert.match(
          line,
          /no kubeconfig: none given with --kubeconfig or KUBECONFIG, no .*\.kube\/config, and not in a pod/,
        );
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );

  test('a kubeconfig file that does not exist is named', TIMEOUT, async () => {
    const line = await refused('--kubeconfig', '/nonexistent/kubeconfig');
    assert.equal(
      line,
      'switchyard operator: cannot load the kubeconfig /nonexistent/kubeconfig (ENOENT); check --kubeconfig or KUBECONFIG',
    );
  });

  test(
    'an API server nobody listens on is named, with the kubeconfig to check',
    TIMEOUT,
    async () => {
      const closed = kubeconfigVia(cp, cp.kubeconfigPath, await freePort());
      const line = await refused('--kubeconfig', closed);
      assert.match(
        line,
        /cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check the kubeconfig/,
      );
    },
  );

  test('credentials the API server refuses are named as such', TIMEOUT, async () => {
    const line = await refused('--kubeconfig', cp.kubeconfigFor('not-a-valid-token', 'bad'));
    assert.match(
      line,
      /refused the credentials \(401 Unauthorized\); renew the token or certificate/,
    );
  });

  test('without the CRDs it says how to install them', TIMEOUT, async () => {
    const line = await refused(...admin);
    assert.match(
      line,
      /the Switchyard CRDs are not installed .*kubectl apply --server-side -f crds\//,
    );
  });

  test('with one CRD of two it names the missing one', TIMEOUT, async () => {
    await cp.applyCrds(crdPaths().filter((path) => path.includes('modelproviders')));
    const line = await refused(...admin);
    assert.match(line, /the CRD of routepolicies\.switchyard\.dev is not installed/);
    await cp.applyCrds(crdPaths());
  });

  test('without its namespace it names the namespace and the three ways out', TIMEOUT, async () => {
    const line = await refused(...admin);
    assert.equal(
      line,
      `switchyard operator: namespace ${SYS} does not exist; create it (kubectl create namespace ${SYS}), pass --create-namespace, or choose another with --namespace`,
    );
    const ns = await cp.kubectl(['get', 'namespace', SYS]);
    assert.notEqual(ns.code, 0, 'the operator created the namespace without being asked');
  });

  test('--create-namespace creates it, and the operator starts', TIMEOUT, async () => {
    await operatorStartsAndStops([...admin, '--create-namespace']);
    await cp.kubectlOk(['get', 'namespace', SYS]);
  });

  test('the least-privilege service account of deploy/rbac starts', TIMEOUT, async () => {
    await applyRbac();
    const token = (
      await cp.kubectlOk(['create', 'token', 'switchyard-operator', '-n', SYS])
    ).trim();
    serviceAccount = ['--kubeconfig', cp.kubeconfigFor(token, 'operator')];
    await untilCanI('patch', 'configmaps/switchyard-config', ['-n', SYS], 'yes');
    await operatorStartsAndStops([...serviceAccount]);
  });

  test(
    'without the Role in its namespace it names the account and its own objects',
    TIMEOUT,
    async () => {
      await deleteRbac('rolebinding', 'switchyard-operator', SYS);
      try {
        await untilCanI('patch', 'configmaps/switchyard-config', ['-n', SYS], 'no');
        const line = await refused(...serviceAccount);
        assert.match(
          line,
          new RegExp(`^switchyard operator: user ${OPERATOR_SA} lacks permissions it needs: `),
        );
        for (const access of [
          `list/watch/create/patch configmaps switchyard-config in ${SYS}`,
          // It may still list and watch every Secret through the ClusterRole.
          `create/patch secrets switchyard-credentials in ${SYS}`,
          `get/create/update/patch leases.coordination.k8s.io switchyard-operator in ${SYS}`,
        ]) {
          assert.ok(line.includes(access), `no "${access}" in: ${line}`);
        }
        assert.match(line, /grant them with deploy\/rbac\/operator\.yaml/);
        assert.doesNotMatch(line, /modelproviders/, 'the ClusterRole is still bound');
      } finally {
        await applyRbac();
      }
    },
  );

  test(
    'without the ClusterRoleBinding it names what it reads in all namespaces, or in those it watches',
    TIMEOUT,
    async () => {
      await deleteRbac('clusterrolebinding', 'switchyard-operator');
      try {
        await untilCanI('list', 'routepolicies.switchyard.dev', ['-A'], 'no');
        const line = await refused(...serviceAccount);
        for (const access of [
          'get/list/watch modelproviders in all namespaces',
          'get/list/watch routepolicies in all namespaces',
          'patch routepolicies/status in all namespaces',
          'get/list/watch secrets in all namespaces',
        ]) {
          assert.ok(line.includes(access), `no "${access}" in: ${line}`);
        }
        // Bound in one namespace only (as the chart does with watchNamespaces), it starts when told
        // to watch just that one, and names the other when told to watch both.
        await cp.kubectlOk(['create', 'namespace', 'team-a']);
        await cp.kubectlOk([
          'create',
          'rolebinding',
          'switchyard-operator',
          '-n',
          'team-a',
          '--clusterrole=switchyard-operator',
          `--serviceaccount=${SYS}:switchyard-operator`,
        ]);
        await untilCanI('list', 'routepolicies.switchyard.dev', ['-n', 'team-a'], 'yes');
        await operatorStartsAndStops([...serviceAccount, '--watch-namespace', 'team-a']);
        const both = await refused(
          ...serviceAccount,
          '--watch-namespace',
          'team-a',
          '--watch-namespace',
          'team-b',
        );
        assert.ok(both.includes('get/list/watch modelproviders in team-b'), both);
        assert.ok(!both.includes('in team-a'), both);
      } finally {
        await applyRbac();
      }
    },
  );

  test(
    'a ClusterRole that may not write status names the status subresources',
    TIMEOUT,
    async () => {
      await applyRbac(
        clusterRoleWithout((rule) => rule.resources.some((r) => r.endsWith('/status'))),
      );
      try {
        await untilCanI(
          'patch',
          'routepolicies.switchyard.dev',
          ['-A', '--subresource=status'],
          'no',
        );
        const line = await refused(...serviceAccount);
        assert.ok(line.includes('patch modelproviders/status in all namespaces'), line);
        assert.ok(line.includes('patch routepolicies/status in all namespaces'), line);
        assert.ok(!line.includes('secrets in all namespaces'), line);
      } finally {
        await applyRbac();
      }
    },
  );

  test('without Events it still starts, and warns once', TIMEOUT, async () => {
    await applyRbac(clusterRoleWithout((rule) => rule.resources.includes('events')));
    try {
      await untilCanI('create', 'events', ['-n', 'default'], 'no');
      const output = await operatorStartsAndStops([...serviceAccount]);
      const warnings = output.split('\n').filter((l) => l.includes('may not record Events'));
      assert.equal(warnings.length, 1, output);
      assert.match(warnings[0]!, /status is still written/);
    } finally {
      await applyRbac();
    }
  });

  test(
    'a --namespace it has no rights in (a typo) is named in every missing permission',
    TIMEOUT,
    async () => {
      await untilCanI('create', 'events', ['-n', 'default'], 'yes');
      const line = await refused(...serviceAccount, '--namespace', 'switchyard-sytem');
      assert.ok(
        line.includes('list/watch/create/patch configmaps switchyard-config in switchyard-sytem'),
        line,
      );
      assert.match(line, /namespace switchyard-sytem for its own objects/);
    },
  );
});
