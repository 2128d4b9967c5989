// deploy/rbac checked against the real authorizer with impersonation: what each service account
// may do, and — just as important — what it may not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  startOperatorCluster,
  SYSTEM_NAMESPACE,
  type OperatorCluster,
} from './operator-cluster.ts';

/** One `kubectl auth can-i` question: verb, resource (optionally /name), namespace or all. */
interface Question {
  verb: string;
  resource: string;
  namespace?: string;
  subresource?: string;
}

const ALL = '*';
const SYS = SYSTEM_NAMESPACE;

const OPERATOR_ALLOWED: Question[] = [
  { verb: 'list', resource: 'modelproviders.switchyard.dev', namespace: ALL },
  { verb: 'watch', resource: 'routepolicies.switchyard.dev', namespace: ALL },
  { verb: 'get', resource: 'routepolicies.switchyard.dev', namespace: 'team-a' },
  {
    verb: 'patch',
    resource: 'modelproviders.switchyard.dev',
    subresource: 'status',
    namespace: 'team-a',
  },
  {
    verb: 'update',
    resource: 'routepolicies.switchyard.dev',
    subresource: 'status',
    namespace: 'default',
  },
  { verb: 'list', resource: 'pricefeeds.switchyard.dev', namespace: ALL },
  { verb: 'watch', resource: 'pricefeeds.switchyard.dev', namespace: 'team-a' },
  {
    verb: 'patch',
    resource: 'pricefeeds.switchyard.dev',
    subresource: 'status',
    namespace: 'team-a',
  },
  { verb: 'list', resource: 'secrets', namespace: ALL },
  { verb: 'watch', resource: 'secrets', namespace: 'team-a' },
  { verb: 'get', resource: 'secrets/openai', namespace: 'default' },
  { verb: 'create', resource: 'events', namespace: 'team-a' },
  { verb: 'patch', resource: 'events', namespace: 'default' },
  { verb: 'create', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'patch', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'watch', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'patch', resource: 'secrets/switchyard-credentials', namespace: SYS },
  { verb: 'create', resource: 'secrets/switchyard-credentials', namespace: SYS },
  { verb: 'create', resource: 'leases.coordination.k8s.io/switchyard-operator', namespace: SYS },
  { verb: 'update', resource: 'leases.coordination.k8s.io/switchyard-operator', namespace: SYS },
];

const OPERATOR_DENIED: Question[] = [
  // Never the specs: the operator reads what users declare and reports on it.
  { verb: 'update', resource: 'modelproviders.switchyard.dev', namespace: 'default' },
  { verb: 'patch', resource: 'routepolicies.switchyard.dev', namespace: 'default' },
  { verb: 'delete', resource: 'routepolicies.switchyard.dev', namespace: 'default' },
  { verb: 'create', resource: 'modelproviders.switchyard.dev', namespace: 'default' },
  // A PriceFeed's spec and annotations (the approval) are the users' to write, never the operator's.
  { verb: 'patch', resource: 'pricefeeds.switchyard.dev', namespace: 'default' },
  { verb: 'update', resource: 'pricefeeds.switchyard.dev', namespace: 'default' },
  { verb: 'delete', resource: 'pricefeeds.switchyard.dev', namespace: 'default' },
  // Never other people's Secrets.
  { verb: 'create', resource: 'secrets', namespace: 'default' },
  { verb: 'patch', resource: 'secrets/openai', namespace: 'default' },
  { verb: 'delete', resource: 'secrets/openai', namespace: 'default' },
  { verb: 'create', resource: 'secrets', namespace: SYS },
  { verb: 'patch', resource: 'secrets/other', namespace: SYS },
  // Only its own two objects and its own Lease.
  { verb: 'create', resource: 'configmaps', namespace: SYS },
  { verb: 'patch', resource: 'configmaps/other', namespace: SYS },
  { verb: 'patch', resource: 'configmaps/switchyard-config', namespace: 'default' },
  { verb: 'delete', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'delete', resource: 'secrets/switchyard-credentials', namespace: SYS },
  {
    verb: 'update',
    resource: 'leases.coordination.k8s.io/kube-controller-manager',
    namespace: SYS,
  },
  { verb: 'create', resource: 'leases.coordination.k8s.io', namespace: 'kube-system' },
  { verb: 'delete', resource: 'events', namespace: 'default' },
  { verb: 'list', resource: 'pods', namespace: ALL },
  { verb: 'create', resource: 'deployments.apps', namespace: SYS },
];

const PROXY_ALLOWED: Question[] = [
  { verb: 'get', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'list', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'watch', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'get', resource: 'secrets/switchyard-credentials', namespace: SYS },
  { verb: 'watch', resource: 'secrets/switchyard-credentials', namespace: SYS },
];

const PROXY_DENIED: Question[] = [
  { verb: 'list', resource: 'configmaps', namespace: SYS },
  { verb: 'list', resource: 'secrets', namespace: SYS },
  { verb: 'get', resource: 'configmaps/other', namespace: SYS },
  { verb: 'get', resource: 'secrets/openai', namespace: 'default' },
  { verb: 'get', resource: 'secrets/switchyard-credentials', namespace: 'default' },
  { verb: 'patch', resource: 'configmaps/switchyard-config', namespace: SYS },
  { verb: 'update', resource: 'secrets/switchyard-credentials', namespace: SYS },
  { verb: 'get', resource: 'modelproviders.switchyard.dev', namespace: 'default' },
  { verb: 'get', resource: 'pricefeeds.switchyard.dev', namespace: 'default' },
  { verb: 'get', resource: 'leases.coordination.k8s.io/switchyard-operator', namespace: SYS },
  { verb: 'create', resource: 'events', namespace: SYS },
];

describe('least-privilege RBAC of deploy/rbac', () => {
  let cluster: OperatorCluster;

  before(async () => {
    cluster = await startOperatorCluster();
  });

  after(async () => {
    await cluster?.cp.stop();
  });

  const ask = async (account: string, question: Question): Promise<string> => {
    const args = ['auth', 'can-i', question.verb, question.resource];
    if (question.subresource !== undefined) args.push(`--subresource=${question.subresource}`);
    if (question.namespace === ALL) args.push('--all-namespaces');
    else args.push('-n', question.namespace ?? 'default');
    args.push('--as', `system:serviceaccount:${SYS}:${account}`);
    const result = await cluster.cp.kubectl(args);
    return result.stdout.trim();
  };

  const check = async (account: string, questions: Question[], expected: 'yes' | 'no') => {
    const answers = await Promise.all(questions.map((question) => ask(account, question)));
    const wrong = questions
      .map((question, index) => ({ question, answer: answers[index] }))
      .filter(({ answer }) => answer !== expected)
      .map(({ question, answer }) => `${JSON.stringify(question)} → ${answer}`);
    assert.deepEqual(wrong, [], `${account} should get "${expected}"`);
  };

  test('the operator may read its kinds and Secrets, write status, Events, its two objects and its Lease', async () => {
    await check('switchyard-operator', OPERATOR_ALLOWED, 'yes');
  });

  test('the operator may not touch specs, other Secrets, other objects or other Leases', async () => {
    await check('switchyard-operator', OPERATOR_DENIED, 'no');
  });

  test('a proxy may read only the published ConfigMap and Secret', async () => {
    await check('switchyard-proxy', PROXY_ALLOWED, 'yes');
  });

  test('a proxy may not read other Secrets or ConfigMaps, nor write anything', async () => {
    await check('switchyard-proxy', PROXY_DENIED, 'no');
  });

  test('with its token, a proxy can list by name but not the whole namespace', async () => {
    const byName = await cluster.cp.kubectl(
      ['get', 'configmaps', '-n', SYS, '--field-selector', 'metadata.name=switchyard-config'],
      { kubeconfig: cluster.proxyKubeconfig },
    );
    assert.equal(byName.code, 0, byName.stderr);
    const all = await cluster.cp.kubectl(['get', 'configmaps', '-n', SYS], {
      kubeconfig: cluster.proxyKubeconfig,
    });
    assert.notEqual(all.code, 0);
    assert.match(all.stderr, /forbidden/);
    const other = await cluster.cp.kubectl(['get', 'secrets', '-n', 'default'], {
      kubeconfig: cluster.proxyKubeconfig,
    });
    assert.match(other.stderr, /forbidden/);
  });
});
