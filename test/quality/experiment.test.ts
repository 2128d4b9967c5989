// Experiments on the proxies: a tenant stays on its arm on every proxy, the variant's own policy
// serves the variant arm, and the receipt, the log line and the metrics all name the arm.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chat, policy, startQualityFleet, type QualityFleet } from './quality-fleet.ts';

let fleet: QualityFleet;

before(async () => {
  fleet = await startQualityFleet();
  fleet.apply([
    policy('auto', {
      model: 'auto',
      tiers: [{ name: 'budget', targets: [{ provider: 'cheap', model: 'small' }] }],
      experiment: { name: 'try-backup', variant: 'backup-only', percent: 50 },
    }),
    policy('backup-only', {
      model: 'backup-only',
      tiers: [{ name: 'budget', targets: [{ provider: 'backup', model: 'medium' }] }],
    }),
  ]);
});

after(async () => {
  await fleet.close();
});

test('a tenant stays on one arm on every proxy, and the variant policy serves the variant arm', async () => {
  const armOf = new Map<string, Set<string>>();
  for (let i = 0; i < 60; i++) {
    const tenant = `team-${i % 12}`;
    const answer = await chat(
      fleet.proxies[i % 2]!,
      { model: 'auto', messages: [{ role: 'user', content: `q${i}` }] },
      { 'x-switchyard-tenant': tenant },
    );
    const arm = String(answer.headers.get('x-switchyard-arm'));
    assert.equal(
      answer.headers.get('x-switchyard-route'),
      arm === 'variant' ? 'backup-only' : 'auto',
    );
    assert.equal(
      answer.headers.get('x-switchyard-provider'),
      arm === 'variant' ? 'backup' : 'cheap',
    );
    armOf.set(tenant, (armOf.get(tenant) ?? new Set()).add(arm));
  }
  for (const [tenant, arms] of armOf) assert.equal(arms.size, 1, `${tenant} moved between arms`);
  const arms = new Set([...armOf.values()].flatMap((s) => [...s]));
  assert.deepEqual([...arms].sort(), ['control', 'variant'], 'twelve tenants land on both arms');
});

test('the log line and the metrics carry the experiment and the arm, errors included', async () => {
  const answer = await chat(
    fleet.proxies[0],
    { model: 'auto', messages: [{ role: 'user', content: 'hello' }], temperature: 'hot' },
    { 'x-switchyard-tenant': 'team-1' },
  );
  assert.equal(answer.status, 400);
  const lines = fleet.logs[0]!.filter((l) => l['msg'] === 'request' && l['route'] !== undefined);
  const last = lines.at(-1)!;
  assert.equal(last['experiment'], undefined, 'a request that did not parse has no arm yet');
  const ok = lines.find((l) => l['status'] === 200)!;
  assert.equal(ok['experiment'], 'try-backup');
  assert.ok(['control', 'variant'].includes(String(ok['arm'])));
  // Both arms' providers fail: the error answer still names its arm, in the receipt and the log.
  for (const fake of [fleet.fakes.cheap, fleet.fakes.backup])
    fake.script({ status: 500, times: 4 });
  const failed = await chat(
    fleet.proxies[0],
    { model: 'auto', messages: [{ role: 'user', content: 'hello again' }] },
    { 'x-switchyard-tenant': 'team-1' },
  );
  for (const fake of [fleet.fakes.cheap, fleet.fakes.backup]) fake.reset();
  assert.ok(failed.status >= 500, `status ${failed.status}`);
  const arm = failed.headers.get('x-switchyard-arm');
  assert.ok(arm === 'control' || arm === 'variant');
  const failedLine = fleet.logs[0]!.filter((l) => l['msg'] === 'request').at(-1)!;
  assert.deepEqual([failedLine['status'], failedLine['arm']], [failed.status, arm]);
  const text = await (await fetch(fleet.proxies[0].metricsUrl!)).text();
  assert.match(
    text,
    /switchyard_experiment_requests_total\{route="auto",experiment="try-backup",arm="(control|variant)",code="200"\} \d+/,
  );
  assert.match(
    text,
    new RegExp(
      `switchyard_experiment_requests_total\\{route="auto",experiment="try-backup",arm="${arm}",code="${failed.status}"\\} 1`,
    ),
  );
});
