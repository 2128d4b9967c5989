import { test } from 'node:test';
import assert from 'node:assert/strict';
import { satisfiesPool, type DataPolicy, type Pool } from './pool.ts';

const policy = (overrides: Partial<DataPolicy>): DataPolicy => ({
  trainsOnData: true,
  zeroDataRetention: false,
  regions: [],
  ...overrides,
});

const cases: { name: string; policy: DataPolicy; pool: Pool; satisfied: boolean }[] = [
  {
    name: 'zero data retention required and declared is satisfied',
    policy: policy({ zeroDataRetention: true }),
    pool: { zeroDataRetention: true },
    satisfied: true,
  },
  {
    name: 'zero data retention required but not declared is not satisfied',
    policy: policy({}),
    pool: { zeroDataRetention: true },
    satisfied: false,
  },
  {
    name: 'zeroDataRetention: false in the pool asks for nothing',
    policy: policy({}),
    pool: { zeroDataRetention: false },
    satisfied: true,
  },
  {
    name: 'a provider that trains on data fails a pool that forbids it',
    policy: policy({ trainsOnData: true }),
    pool: { trainsOnData: false },
    satisfied: false,
  },
  {
    name: 'trainsOnData: true in the pool asks for nothing',
    policy: policy({ trainsOnData: true }),
    pool: { trainsOnData: true },
    satisfied: true,
  },
  {
    name: 'regions all inside the pool satisfy it',
    policy: policy({ regions: ['eu', 'in-cluster'] }),
    pool: { regions: ['in-cluster', 'eu', 'us'] },
    satisfied: true,
  },
  {
    name: 'one region outside the pool fails it',
    policy: policy({ regions: ['eu', 'us'] }),
    pool: { regions: ['eu'] },
    satisfied: false,
  },
  {
    name: 'undeclared regions fail a region requirement, since unknown is not compliant',
    policy: policy({ regions: [] }),
    pool: { regions: ['eu'] },
    satisfied: false,
  },
  {
    name: 'every requirement must hold at once',
    policy: policy({ trainsOnData: false, zeroDataRetention: true, regions: ['us'] }),
    pool: { trainsOnData: false, zeroDataRetention: true, regions: ['eu'] },
    satisfied: false,
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.equal(satisfiesPool(c.policy, c.pool), c.satisfied);
  });
}
