// Budgets while the shared store is down, against a real Redis that the test stops and restarts:
// the proxy starts without it and serves; each policy's onStateUnavailable holds; what was spent
// meanwhile is added back; a Redis that restarted empty gets the month's spend back; and requests
// without max_tokens reserve what they may cost at most.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { freePort } from '../harness/ports.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { policy, provider, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let fx: ProxyFixture;
let redisPort: number;
let redis: RedisServer | undefined;

/** Each answer costs $0.010005: 5 input tokens at $1/M, 100 output tokens at $100/M. */
const COST_MICRO_USD = 10_005;

const budgeted = (name: string, budget: Record<string, unknown>) =>
  policy(name, {
    model: name,
    tiers: [{ name: 'only', targets: [{ provider: 'pricey', model: 'big' }] }],
    budget,
  });

before(async () => {
  redisPort = await freePort();
  // Redis is not running: connect() gives up waiting after 200 ms and keeps trying behind.
  const state = await RedisState.connect(`redis://127.0.0.1:${redisPort}`, () => {}, 200);
  fx = await startProxyFixture({ state, proxy: { budgetFleetSize: 2 } });
  fx.apply({
    providers: [
      provider('pricey', 'openai', fx.fakes.backup.url, [
        {
          name: 'big',
          contextWindow: 100000,
          maxOutputTokens: 100,
          pricing: { inputPerMillion: 1, outputPerMillion: 100 },
        },
      ]),
      provider('wordy', 'openai', fx.fakes.cheap.url, [
        {
          name: 'long',
          contextWindow: 100000,
          maxOutputTokens: 4000,
          pricing: { inputPerMillion: 1, outputPerMillion: 100 },
        },
      ]),
    ],
    policies: [
      budgeted('open', { monthlyUSD: 10, onExhausted: 'reject', onStateUnavailable: 'failOpen' }),
      budgeted('closed', {
        monthlyUSD: 10,
        onExhausted: 'reject',
        onStateUnavailable: 'failClosed',
      }),
      budgeted('local', { monthlyUSD: 0.1, onExhausted: 'reject', onStateUnavailable: 'localCap' }),
      policy('no-max', {
        model: 'no-max',
        tiers: [{ name: 'only', targets: [{ provider: 'wordy', model: 'long' }] }],
        budget: { monthlyUSD: 1, onExhausted: 'reject' },
      }),
    ],
  });
  fx.fakes.backup.setDefault({ usage: { inputTokens: 5, outputTokens: 100 } });
});
after(async () => {
  await fx.close();
  await redis?.stop();
});

async function ask(model: string, body: Record<string, unknown> = { max_tokens: 100 }) {
  const response = await fetch(`${fx.proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text };
}

const key = (alias: string) =>
  `switchyard:budget:ai:${alias}:${new Date().toISOString().slice(0, 7)}`;

async function counter(alias: string): Promise<number> {
  return Number(await redis!.command('GET', key(alias)));
}

/** Sends requests until the proxy has reconnected and flushed, i.e. the counter reaches `atLeast`. */
async function untilCounted(alias: string, atLeast: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    assert.equal((await ask(alias)).status, 200);
    const value = await counter(alias);
    if (value >= atLeast) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${alias}: the counter never reached ${atLeast}`);
}

test('with Redis down from the start the proxy serves: failOpen spends, failClosed answers 503 with Retry-After', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await ask('open')).status, 200);
  const closed = await ask('closed');
  assert.equal(closed.status, 503, closed.text);
  assert.equal(closed.retryAfter, '2');
  assert.match(closed.text, /"code":"budget_unavailable"/);
  assert.match(closed.text, /fails closed \(onStateUnavailable: failClosed\)/);
  const local = await ask('local');
  assert.equal(
    local.status,
    503,
    'localCap: a pod that never saw the store knows of no budget left',
  );
});

test('once Redis is up, what was spent while it was down is added to the shared counter', async () => {
  redis = await startRedis({ port: redisPort });
  await untilRedisServes();
  assert.equal((await ask('open')).status, 200);
  // Three answers while it was down, and this one.
  assert.equal(await counter('open'), 4 * COST_MICRO_USD);
});

test('after Redis restarts empty, the month’s spend is rebuilt from what the proxy last saw', async () => {
  const before = await counter('open');
  await redis!.stop();
  redis = await startRedis({ port: redisPort });
  assert.equal(await redis.command('GET', key('open')), null, 'the restarted Redis is empty');
  await untilRedisServes();
  assert.equal((await ask('open')).status, 200);
  assert.equal(
    await counter('open'),
    before + COST_MICRO_USD,
    'the spend before the restart is back',
  );
});

test('localCap: while Redis is down a pod spends at most its share of what was left, then 503', async () => {
  await untilCounted('local', COST_MICRO_USD); // the pod sees $0.01 of $0.10 spent
  const seen = await counter('local');
  await redis!.stop();
  redis = undefined;
  // $0.09 left, two pods: this one may reserve $0.045, four requests of ~$0.0101 each.
  const share = Math.floor((100_000 - seen) / 2);
  let served = 0;
  let refused: Awaited<ReturnType<typeof ask>> | undefined;
  for (let i = 0; i < 10 && refused === undefined; i++) {
    const answer = await ask('local');
    if (answer.status === 200) served += 1;
    else refused = answer;
  }
  assert.equal(
    served,
    Math.floor(share / 10_100),
    `served ${served} within a share of ${share} µ$`,
  );
  assert.equal(refused?.status, 503);
  assert.match(refused?.text ?? '', /spent its share \(\$0\.04\d+\) of what was left/);
  redis = await startRedis({ port: redisPort });
});

test('requests without max_tokens reserve what the model can write, so concurrent ones cannot overrun a budget', async () => {
  // Each answer writes 2000 tokens ($0.20); the model may write 4000 ($0.40 reserved). A guess of
  // 500 tokens ($0.05) let all twenty through at once: $4 against $1.
  fx.fakes.cheap.setDefault({ latencyMs: 100, usage: { inputTokens: 5, outputTokens: 2000 } });
  try {
    await untilRedisServes();
    const answers = await Promise.all(Array.from({ length: 20 }, () => ask('no-max', {})));
    const served = answers.filter((a) => a.status === 200).length;
    assert.ok(served >= 2, `served ${served}`);
    assert.ok(
      answers.every((a) => a.status === 200 || a.status === 429),
      JSON.stringify(answers.map((a) => a.status)),
    );
    assert.ok((await counter('no-max')) <= 1_000_000, `spent ${await counter('no-max')} µ$ of $1`);
  } finally {
    fx.fakes.cheap.setDefault({});
  }
});

async function untilRedisServes(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await ask('closed')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('the proxy never reconnected to Redis');
}
