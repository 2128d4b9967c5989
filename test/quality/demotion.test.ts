// The quality loop end to end on two proxies sharing a real Redis: sampled answers are judged
// after they reached the client, a provider that starts to degrade is demoted on both proxies
// once the configured samples say so, keeps a trickle of probation traffic, and is restored when
// it recovers; the last target in good standing is never demoted.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { DEMOTED_KEY, TRANSITIONS_KEY } from '../../core/live/fleet-keys.ts';
import { FAKE_JUDGE_SCORES } from '../fakes/index.ts';
import { chat, eventually, policy, startQualityFleet, type QualityFleet } from './quality-fleet.ts';

let fleet: QualityFleet;

const MIN_SAMPLES = 4;

const auto = policy('auto', {
  model: 'auto',
  tiers: [
    {
      name: 'budget',
      strategy: 'ordered',
      targets: [
        { provider: 'cheap', model: 'small' },
        { provider: 'backup', model: 'medium' },
      ],
    },
    { name: 'premium', strategy: 'ordered', targets: [{ provider: 'judge', model: 'sonnet' }] },
  ],
  failover: { retries: { max: 0 } },
  quality: {
    judge: { provider: 'judge', model: 'sonnet' },
    samplePercent: 100,
    tierSamplePercent: { premium: 0 },
    demotion: {
      below: 5,
      restoreAbove: 7,
      minSamples: MIN_SAMPLES,
      window: MIN_SAMPLES,
      probationPercent: 25,
    },
    maxConcurrency: 1,
  },
});

/** Every target of one tier degrades: the last one in good standing must stay. */
const pair = policy('pair', {
  model: 'pair',
  tiers: [
    {
      name: 'only',
      strategy: 'ordered',
      targets: [
        { provider: 'cheap', model: 'small' },
        { provider: 'backup', model: 'medium' },
      ],
    },
  ],
  quality: {
    judge: { provider: 'judge', model: 'sonnet' },
    samplePercent: 100,
    demotion: { below: 5, restoreAbove: 7, minSamples: 2, window: 2, probationPercent: 50 },
    maxConcurrency: 1,
  },
});

const solo = policy('solo', {
  model: 'solo',
  tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
  quality: {
    judge: { provider: 'judge', model: 'sonnet' },
    samplePercent: 100,
    demotion: { below: 5, restoreAbove: 7, minSamples: 2, window: 2 },
  },
});

before(async () => {
  fleet = await startQualityFleet();
  fleet.apply([auto, pair, solo]);
});

after(async () => {
  await fleet.close();
});

beforeEach(async () => {
  await fleet.redis.command('FLUSHALL');
  for (const fake of Object.values(fleet.fakes)) fake.reset();
  await Promise.all(fleet.proxies.map((p) => p.fleet.standings.refresh()));
});

const ask = (i: number, model = 'auto', content = `question ${Math.random()}`) =>
  chat(fleet.proxies[i % 2]!, { model, messages: [{ role: 'user', content }] });

const judgeCalls = () =>
  fleet.fakes.judge.requests.filter((r) => JSON.stringify(r.body).includes('You grade the answer'))
    .length;

const demotedOn = (proxy: number, policyId: string, target: string) =>
  fleet.proxies[proxy]!.ctx.standings.isDemoted(policyId, target);

test('a degrading provider is demoted on both proxies after minSamples judged answers, and restored once it recovers', async () => {
  fleet.fakes.cheap.setDefault({ degraded: true });
  for (let i = 0; i < MIN_SAMPLES - 1; i++) {
    const answer = await ask(i);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-switchyard-provider'), 'cheap');
  }
  await fleet.settle();
  assert.equal(judgeCalls(), MIN_SAMPLES - 1);
  assert.equal(demotedOn(0, 'ai/auto', 'cheap/small'), false, 'not before minSamples');

  await ask(MIN_SAMPLES - 1);
  await fleet.settle();
  for (const i of [0, 1]) {
    await eventually(`proxy ${i} sees the demotion`, () => demotedOn(i, 'ai/auto', 'cheap/small'));
  }
  const record = await fleet.redis.command('HGET', DEMOTED_KEY, 'ai/auto|cheap/small');
  assert.equal(JSON.parse(String(record)).mean, FAKE_JUDGE_SCORES.degraded);

  // Demoted: most requests go to the backup; a trickle of probation requests still reach it.
  const providers: string[] = [];
  for (let i = 0; i < 40; i++)
    providers.push(String((await ask(i)).headers.get('x-switchyard-provider')));
  const toCheap = providers.filter((p) => p === 'cheap').length;
  assert.ok(toCheap > 0 && toCheap < 20, `${toCheap} of 40 probation requests reached cheap`);
  assert.equal(providers.filter((p) => p === 'backup').length, 40 - toCheap);
  await fleet.settle();

  // It recovers: probation answers score high, and the window climbs above restoreAbove.
  fleet.fakes.cheap.setDefault({});
  await eventually(
    'both proxies restore cheap/small',
    async () => {
      await ask(Math.floor(Math.random() * 2));
      await fleet.settle();
      return !demotedOn(0, 'ai/auto', 'cheap/small') && !demotedOn(1, 'ai/auto', 'cheap/small');
    },
    30_000,
  );
  const transitions = (await fleet.redis.command('LRANGE', TRANSITIONS_KEY, '0', '-1')) as string[];
  assert.deepEqual(
    transitions.map((t) => JSON.parse(t).kind),
    ['restored', 'demoted'],
    'one demotion and one restoration, newest first',
  );
  const restored = JSON.parse(transitions[0]!);
  assert.ok(restored.mean > 7, `restored at mean ${restored.mean}`);
  assert.equal(restored.threshold, 7);
  const metrics = await (await fetch(fleet.proxies[1].metricsUrl!)).text();
  assert.match(
    metrics,
    /switchyard_quality_score_count\{route="auto",tier="budget",provider="cheap",model="small"\} \d+/,
  );
});

test('the last target in good standing is never demoted, even when two proxies race', async () => {
  fleet.fakes.cheap.setDefault({ degraded: true });
  fleet.fakes.backup.setDefault({ degraded: true });
  // Cheap is first; its demotion sends traffic to backup, which degrades too.
  for (let i = 0; i < 24; i++) await ask(i, 'pair');
  await fleet.settle();
  await Promise.all(fleet.proxies.map((p) => p.fleet.standings.refresh()));
  const demoted = ['cheap/small', 'backup/medium'].filter((t) => demotedOn(0, 'ai/pair', t));
  assert.deepEqual(demoted, ['cheap/small'], 'only one of the two targets is demoted');

  for (let i = 0; i < 6; i++) assert.equal((await ask(i, 'solo')).status, 200);
  await fleet.settle();
  assert.equal(
    await fleet.redis.command('HEXISTS', DEMOTED_KEY, 'ai/solo|cheap/small'),
    0,
    "a policy's only target is never demoted",
  );
});
