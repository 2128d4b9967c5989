import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeAccess, requiredAccess } from './required-access.ts';

test('watching all namespaces asks for cluster-wide reads; its own objects are asked by name', () => {
  const needed = requiredAccess('switchyard-system', undefined);
  assert.ok(
    needed.some((a) => a.verb === 'watch' && a.resource === 'secrets' && a.namespace === ''),
  );
  const own = needed.filter((a) => a.namespace === 'switchyard-system');
  assert.deepEqual(
    [...new Set(own.map((a) => `${a.resource}/${a.name}`))],
    [
      'configmaps/switchyard-config',
      'secrets/switchyard-credentials',
      'leases/switchyard-operator',
    ],
  );
});

test('watching some namespaces asks for reads in each of them and nowhere else', () => {
  const scopes = new Set(
    requiredAccess('ops', ['team-a', 'team-b'])
      .filter((a) => a.resource !== 'configmaps' && a.resource !== 'leases' && a.name === undefined)
      .map((a) => a.namespace),
  );
  assert.deepEqual([...scopes].sort(), ['team-a', 'team-b']);
});

test('only Events are optional', () => {
  const optional = requiredAccess('ops', undefined).filter((a) => a.optional === true);
  assert.deepEqual([...new Set(optional.map((a) => a.resource))], ['events']);
});

test('permissions read as verbs grouped by object, with the API group when it is not core or ours', () => {
  assert.equal(
    describeAccess([
      { verb: 'get', group: '', resource: 'secrets', namespace: '' },
      { verb: 'list', group: '', resource: 'secrets', namespace: '' },
      {
        verb: 'patch',
        group: 'switchyard.dev',
        resource: 'routepolicies',
        subresource: 'status',
        namespace: 'team-a',
      },
      {
        verb: 'update',
        group: 'coordination.k8s.io',
        resource: 'leases',
        name: 'l',
        namespace: 'ops',
      },
    ]),
    'get/list secrets in all namespaces, patch routepolicies/status in team-a, update leases.coordination.k8s.io l in ops',
  );
});
