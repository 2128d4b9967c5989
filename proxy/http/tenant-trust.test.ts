import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TenantTrust } from './tenant-trust.ts';

test('sources: any, none, or addresses and CIDR ranges of either family', () => {
  const trust = TenantTrust.parse('10.0.0.0/8, 192.168.1.7, fd00::/8');
  const cases: [string | undefined, boolean][] = [
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['fd12::1', true],
    ['127.0.0.1', false],
    [undefined, false],
  ];
  for (const [address, trusted] of cases)
    assert.equal(trust.trusts(address), trusted, String(address));
  assert.equal(TenantTrust.parse('any').trusts('203.0.113.9'), true);
  assert.equal(TenantTrust.parse('').trusts('203.0.113.9'), true);
  assert.equal(TenantTrust.parse('none').trusts('127.0.0.1'), false);
});

test('anything else is refused, naming it', () => {
  for (const spec of ['10.0.0.0/33', 'gateway.local', '10.0.0/8', 'fd00::/129'])
    assert.throws(() => TenantTrust.parse(spec), /is not an IP address or CIDR range/, spec);
});
