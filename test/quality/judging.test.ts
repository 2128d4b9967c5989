// How sampled answers are judged, on two proxies sharing a real Redis: never on the client's time
// (a judge that is down, slow or talks nonsense changes no answer), streams judged from their
// assembled text, a full queue drops and counts, sensitive requests stay inside the pool, the
// judge's cost is counted apart and charged to the budget, and samples keep request text only
// when the policy opts in.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { budgetKey, budgetMonth } from '../../core/budget/budget.ts';
import { samplesKey } from '../../core/live/fleet-keys.ts';
import { FAKE_DEGRADED_MARKER } from '../fakes/index.ts';
import {
  chat,
  eventually,
  policy,
  provider,
  startQualityFleet,
  type QualityFleet,
} from './quality-fleet.ts';

let fleet: QualityFleet;

const judged = (
  name: string,
  quality: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) =>
  policy(name, {
    model: name,
    tiers: [{ name: 'budget', targets: [{ provider: 'cheap', model: 'small' }] }],
    quality: { judge: { provider: 'judge', model: 'sonnet' }, samplePercent: 100, ...quality },
    ...extra,
  });

/** A provider inside the pool the `private` policy requires (served by the backup fake). */
const inPool = (baseURL: string) =>
  provider(
    'vault',
    'openai',
    baseURL,
    [{ name: 'local', contextWindow: 8000, pricing: { inputPerMillion: 0, outputPerMillion: 0 } }],
    { trainsOnData: false, zeroDataRetention: true, regions: ['eu'] },
  );

before(async () => {
  fleet = await startQualityFleet();
});

after(async () => {
  await fleet.close();
});

beforeEach(async () => {
  await fleet.redis.command('FLUSHALL');
  for (const fake of Object.values(fleet.fakes)) fake.reset();
});

const judgeRequests = () =>
  fleet.fakes.judge.requests.filter((r) => JSON.stringify(r.body).includes('You grade the answer'));

async function metric(name: string, labels: string): Promise<number> {
  let total = 0;
  for (const proxy of fleet.proxies) {
    const text = await (await fetch(proxy.metricsUrl!)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) && line.includes(labels))
        total += Number(line.split(' ').at(-1));
    }
  }
  return total;
}

test('a judge that is down, slow or unusable changes no answer and scores nothing', async () => {
  fleet.apply([judged('auto', { timeoutMs: 300 })]);
  const body = { model: 'auto', messages: [{ role: 'user', content: 'What is 2+2?' }] };
  const direct = await chat(fleet.proxies[0], body);
  await fleet.settle();
  assert.equal(judgeRequests().length, 1, 'the healthy judge was asked');
  const expected = (direct.json['choices'] as { message: { content: string } }[])[0]?.message
    .content;

  const scripts = [{ status: 500 }, { blackhole: true }, { reply: 'I would rather not say.' }];
  for (const [i, step] of scripts.entries()) {
    fleet.fakes.judge.script(step);
    const started = Date.now();
    const answer = await chat(fleet.proxies[i % 2]!, body);
    const elapsed = Date.now() - started;
    assert.equal(answer.status, 200);
    const content = (answer.json['choices'] as { message: { content: string } }[])[0]?.message
      .content;
    assert.equal(
      content,
      expected,
      `the answer is the same with the judge scripted ${JSON.stringify(step)}`,
    );
    assert.ok(elapsed < 250, `the answer did not wait for the judge (${elapsed} ms)`);
  }
  await fleet.settle();
  assert.equal(await metric('switchyard_judge_calls_total', 'outcome="error"'), 1);
  assert.equal(await metric('switchyard_judge_calls_total', 'outcome="timeout"'), 1);
  assert.equal(await metric('switchyard_judge_calls_total', 'outcome="unusable"'), 1);
  assert.equal(
    await metric('switchyard_quality_score_count', 'route="auto"'),
    1,
    'only the real score',
  );
  assert.equal(
    await metric('switchyard_successful_requests_total', 'route="auto"'),
    4,
    'an answer the judge could not grade still counts as a success',
  );
});

test('a streamed answer is judged from its assembled text', async () => {
  fleet.apply([judged('auto', {})]);
  const scoresBefore = await metric('switchyard_quality_score_sum', 'route="auto"');
  fleet.fakes.cheap.setDefault({ degraded: true, chunkDelayMs: 1 });
  const answer = await chat(fleet.proxies[1], {
    model: 'auto',
    stream: true,
    messages: [{ role: 'user', content: 'Tell me a long story about routers.' }],
  });
  assert.equal(answer.status, 200);
  const streamed = answer.text
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] })
    .map((c) => c.choices[0]?.delta.content ?? '')
    .join('');
  assert.ok(streamed.includes(FAKE_DEGRADED_MARKER));
  await fleet.settle();
  const [request] = judgeRequests();
  assert.ok(
    JSON.stringify(request?.body).includes(JSON.stringify(streamed).slice(1, -1)),
    'the whole text',
  );
  assert.equal(await metric('switchyard_quality_score_sum', 'route="auto"'), scoresBefore + 2);
});

test('a full judge queue drops samples and counts them', async () => {
  fleet.apply([judged('auto', { queueSize: 1, maxConcurrency: 1, timeoutMs: 500 })]);
  fleet.fakes.judge.setDefault({ latencyMs: 300 });
  const body = { model: 'auto', messages: [{ role: 'user', content: 'Hello' }] };
  const answers = await Promise.all(Array.from({ length: 8 }, () => chat(fleet.proxies[0], body)));
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
  const dropped = await metric('switchyard_judge_calls_total', 'outcome="dropped"');
  assert.ok(dropped >= 5, `${dropped} of 8 samples dropped with room for 2`);
  await fleet.settle();
  assert.equal(judgeRequests().length, 8 - dropped);
});

test('a sensitive request is judged only by a judge inside the governance pool', async () => {
  const governance = {
    sensitive: { patterns: ['\\bSECRET\\b'] },
    pool: { zeroDataRetention: true, trainsOnData: false, regions: ['eu'] },
  };
  fleet.apply(
    [
      policy('private', {
        model: 'private',
        tiers: [
          {
            name: 'budget',
            targets: [
              { provider: 'cheap', model: 'small' },
              { provider: 'vault', model: 'local' },
            ],
          },
        ],
        quality: { judge: { provider: 'judge', model: 'sonnet' }, samplePercent: 100 },
        governance,
      }),
    ],
    [inPool(fleet.fakes.backup.url)],
  );
  const ask = (content: string) =>
    chat(fleet.proxies[0], { model: 'private', messages: [{ role: 'user', content }] });
  await ask('an ordinary question');
  await fleet.settle();
  assert.equal(judgeRequests().length, 1, 'ordinary requests are judged');
  fleet.fakes.judge.reset();
  const sensitive = await ask('my SECRET is 42');
  assert.equal(sensitive.status, 200);
  assert.equal(sensitive.headers.get('x-switchyard-provider'), 'vault', 'answered inside the pool');
  await fleet.settle();
  assert.equal(judgeRequests().length, 0, 'the judge outside the pool saw nothing');
});

test("judge calls are counted apart and charged to the policy's budget", async () => {
  fleet.apply([judged('auto', {}, { budget: { monthlyUSD: 100 } })]);
  const judgeBefore = await metric('switchyard_judge_cost_usd_total', 'route="auto"');
  const spendBefore = await metric('switchyard_cost_usd_total', 'route="auto"');
  const answer = await chat(fleet.proxies[1], {
    model: 'auto',
    messages: [{ role: 'user', content: 'Summarise the plot of Hamlet.' }],
  });
  const answerCost = Number(answer.headers.get('x-switchyard-cost-usd'));
  await fleet.settle();
  const judgeCost = (await metric('switchyard_judge_cost_usd_total', 'route="auto"')) - judgeBefore;
  assert.ok(
    judgeCost > answerCost,
    `the judge (premium) costs more: ${judgeCost} vs ${answerCost}`,
  );
  const spent = Number(
    await fleet.redis.command(
      'GET',
      budgetKey({ namespace: 'ai', alias: 'auto' }, budgetMonth(Date.now())),
    ),
  );
  const expected = Math.ceil(answerCost * 1e6) + Math.ceil(judgeCost * 1e6);
  assert.ok(
    Math.abs(spent - expected) <= 2,
    `budget ${spent} µUSD, answer + judge ${expected} µUSD`,
  );
  const spend = (await metric('switchyard_cost_usd_total', 'route="auto"')) - spendBefore;
  assert.ok(
    Math.abs(spend - answerCost) < 1e-8,
    `the answer spend metric does not include the judge (${spend} vs ${answerCost})`,
  );
});

test('judged samples keep the request text only when the policy opts in', async () => {
  fleet.apply([judged('open', { export: { includeRequestText: true } }), judged('closed', {})]);
  for (const model of ['open', 'closed']) {
    await chat(fleet.proxies[0], {
      model,
      messages: [{ role: 'user', content: `private words ${model}` }],
    });
  }
  await fleet.settle();
  await eventually('both samples kept', async () => {
    const kept = await Promise.all(
      ['ai/open', 'ai/closed'].map((p) => fleet.redis.command('LLEN', samplesKey(p))),
    );
    return kept.every((n) => n === 1);
  });
  const [open] = (await fleet.redis.command('LRANGE', samplesKey('ai/open'), '0', '0')) as string[];
  const [closed] = (await fleet.redis.command(
    'LRANGE',
    samplesKey('ai/closed'),
    '0',
    '0',
  )) as string[];
  assert.deepEqual(JSON.parse(open!).messages, [{ role: 'user', content: 'private words open' }]);
  assert.equal(JSON.parse(closed!).messages, undefined);
  assert.ok(!closed!.includes('private words'), 'no text of a policy that did not opt in');
  assert.equal(JSON.parse(closed!).score, 9);
});
