// A proxy with tracing on sends its spans to a real Jaeger: one trace per request, the client's
// traceparent as its parent, classification, cache and every attempt as children with the GenAI
// attributes, and the provider called with the attempt's own traceparent. Prompts stay out.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startJaeger, type Jaeger, type JaegerSpan, type JaegerTrace } from '../harness/jaeger.ts';
import { policy, startProxyFixture, type ProxyFixture } from '../proxy/proxy-fixture.ts';

let jaeger: Jaeger;
let fx: ProxyFixture;
let client: OpenAI;

before(async () => {
  jaeger = await startJaeger();
  fx = await startProxyFixture({
    proxy: { tracing: { otlpEndpoint: jaeger.otlpEndpoint, serviceName: 'switchyard-proxy' } },
  });
  fx.apply({
    policies: [
      policy('smart', {
        model: 'smart',
        tiers: [
          { name: 'budget', targets: [{ provider: 'cheap', model: 'small' }] },
          { name: 'premium', targets: [{ provider: 'claude', model: 'sonnet' }] },
        ],
        classification: {
          default: 'budget',
          classifier: { target: { provider: 'backup', model: 'medium' }, timeoutMs: 2000 },
        },
      }),
      policy('cached', {
        model: 'cached',
        tiers: [{ name: 'only', targets: [{ provider: 'cheap', model: 'small' }] }],
        cache: { exact: { ttlSeconds: 600 } },
      }),
    ],
  });
  client = new OpenAI({ baseURL: fx.proxy.url, apiKey: 'unused', maxRetries: 0 });
});
after(async () => {
  await fx?.close();
  await jaeger?.stop();
});

function tag(span: JaegerSpan | undefined, key: string): unknown {
  return span?.tags.find((t) => t.key === key)?.value;
}

function spansNamed(trace: JaegerTrace, name: string): JaegerSpan[] {
  return trace.spans.filter((s) => s.operationName === name);
}

function one(trace: JaegerTrace, name: string): JaegerSpan {
  const found = spansNamed(trace, name);
  assert.equal(found.length, 1, `${name} in ${trace.spans.map((s) => s.operationName).join(', ')}`);
  return found[0]!;
}

function parentOf(span: JaegerSpan): string | undefined {
  return span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
}

/** A W3C traceparent as a client would send it, sampled. */
function clientTraceparent(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

describe('a traced proxy and a real Jaeger', () => {
  test("a request is one trace under the client's span: a server span and its attempt, with the GenAI attributes", async () => {
    const parent = clientTraceparent();
    await client.chat.completions.create(
      {
        model: 'auto',
        messages: [{ role: 'user', content: 'a private question 42' }],
        max_tokens: 64,
      },
      { headers: { traceparent: parent.header } },
    );
    const trace = await jaeger.waitForTrace(parent.traceId, (t) => t.spans.length >= 2);
    const server = one(trace, 'chat auto');
    assert.equal(parentOf(server), parent.spanId);
    assert.equal(tag(server, 'span.kind'), 'server');
    assert.equal(tag(server, 'gen_ai.operation.name'), 'chat');
    assert.equal(tag(server, 'gen_ai.request.model'), 'auto');
    assert.equal(tag(server, 'gen_ai.response.model'), 'small');
    assert.equal(tag(server, 'gen_ai.provider.name'), 'openai');
    assert.equal(tag(server, 'gen_ai.request.max_tokens'), 64);
    assert.ok(Number(tag(server, 'gen_ai.usage.input_tokens')) > 0);
    assert.ok(Number(tag(server, 'gen_ai.usage.output_tokens')) > 0);
    assert.equal(tag(server, 'switchyard.route'), 'auto');
    assert.equal(tag(server, 'switchyard.tier'), 'budget');
    assert.equal(tag(server, 'http.response.status_code'), 200);
    assert.ok(Number(tag(server, 'switchyard.cost_usd')) > 0);
    // The default tier, decided in microseconds: an attribute, not a span.
    assert.equal(tag(server, 'switchyard.classification.source'), 'default');
    assert.equal(spansNamed(trace, 'classify').length, 0);
    const attempt = one(trace, 'chat small');
    assert.equal(parentOf(attempt), server.spanID);
    assert.equal(tag(attempt, 'span.kind'), 'client');
    assert.equal(tag(attempt, 'switchyard.provider'), 'cheap');
    assert.equal(tag(attempt, 'switchyard.attempt.outcome'), 'ok');
    assert.equal(tag(attempt, 'server.address'), '127.0.0.1');
    assert.equal(trace.processes[server.processID]?.serviceName, 'switchyard-proxy');
    // The provider was called with the attempt span as its parent.
    assert.equal(
      fx.fakes.cheap.lastRequest?.headers['traceparent'],
      `00-${parent.traceId}-${attempt.spanID}-01`,
    );
    assert.ok(!JSON.stringify(trace).includes('a private question'), 'no prompt text in spans');
    // The log line names the trace.
    assert.ok(
      fx.logs.some((line) => line['msg'] === 'request' && line['traceId'] === parent.traceId),
    );
  });

  test('a classifier call is a classify span with its outcome, before the attempt', async () => {
    const parent = clientTraceparent();
    await client.chat.completions.create(
      { model: 'smart', messages: [{ role: 'user', content: 'prove it rigorously' }] },
      { headers: { traceparent: parent.header } },
    );
    const trace = await jaeger.waitForTrace(parent.traceId, (t) => t.spans.length >= 3);
    const server = one(trace, 'chat smart');
    const classify = one(trace, 'classify');
    assert.equal(parentOf(classify), server.spanID);
    // What the classifier said, as the request's log line has it.
    const logged = fx.logs.find((l) => l['msg'] === 'request' && l['traceId'] === parent.traceId);
    assert.ok(logged?.['classifier'] !== undefined);
    assert.equal(tag(classify, 'switchyard.classifier.outcome'), logged['classifier']);
    assert.ok(classify.duration > 0);
    const attempt = trace.spans.find((s) => s.operationName.startsWith('chat ') && s !== server);
    assert.ok(attempt !== undefined && attempt.startTime >= classify.startTime);
    assert.equal(
      tag(server, 'switchyard.classification.source'),
      logged['classifier'] === 'answered' ? 'classifier' : 'default',
    );
  });

  test('a failover shows both attempts, the failed one marked as an error', async () => {
    const parent = clientTraceparent();
    fx.fakes.cheap.script({ status: 503 });
    await client.chat.completions.create(
      { model: 'auto', messages: [{ role: 'user', content: 'fail over' }] },
      { headers: { traceparent: parent.header } },
    );
    const trace = await jaeger.waitForTrace(parent.traceId, (t) => t.spans.length >= 3);
    const failed = one(trace, 'chat small');
    assert.equal(tag(failed, 'error.type'), 'overloaded'); // how the adapter reads a 503
    assert.equal(tag(failed, 'http.response.status_code'), 503);
    assert.equal(tag(failed, 'otel.status_code'), 'ERROR');
    const winner = one(trace, 'chat medium');
    assert.equal(tag(winner, 'switchyard.provider'), 'backup');
    assert.equal(tag(one(trace, 'chat auto'), 'gen_ai.response.model'), 'medium');
    assert.equal(
      fx.fakes.backup.lastRequest?.headers['traceparent'],
      `00-${parent.traceId}-${winner.spanID}-01`,
    );
  });

  test('an exact-cache hit is a cache lookup span and no attempt', async () => {
    const body = { model: 'cached', messages: [{ role: 'user' as const, content: 'same again' }] };
    await client.chat.completions.create(body);
    const parent = clientTraceparent();
    await client.chat.completions.create(body, { headers: { traceparent: parent.header } });
    const trace = await jaeger.waitForTrace(parent.traceId, (t) => t.spans.length >= 2);
    const lookup = one(trace, 'cache lookup');
    assert.equal(tag(lookup, 'switchyard.cache.result'), 'hit');
    assert.equal(tag(one(trace, 'chat cached'), 'switchyard.cache'), 'hit');
    assert.equal(spansNamed(trace, 'chat small').length, 0);
  });

  test('a stream is traced to its end, and a request without traceparent starts its own trace', async () => {
    const stream = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    for await (const _ of stream) void _;
    const line = await waitForLog(fx, (l) => l['msg'] === 'request' && l['stream'] === true);
    const traceId = String(line['traceId']);
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const trace = await jaeger.waitForTrace(traceId, (t) => t.spans.length >= 2);
    const server = one(trace, 'chat auto');
    assert.deepEqual(server.references, []);
    assert.equal(tag(server, 'switchyard.stream'), true);
    assert.ok(Number(tag(server, 'gen_ai.usage.output_tokens')) > 0);
  });

  test('a refused request is a server span marked with whose fault it was', async () => {
    const parent = clientTraceparent();
    await assert.rejects(
      client.chat.completions.create(
        { model: 'no-such-alias', messages: [{ role: 'user', content: 'x' }] },
        { headers: { traceparent: parent.header } },
      ),
    );
    const trace = await jaeger.waitForTrace(parent.traceId);
    const server = one(trace, 'chat no-such-alias');
    assert.equal(tag(server, 'http.response.status_code'), 404);
    assert.equal(tag(server, 'error.type'), 'MODEL_NOT_FOUND');
    assert.equal(tag(server, 'switchyard.error.origin'), 'caller');
  });
});

async function waitForLog(
  fixture: ProxyFixture,
  match: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const line = fixture.logs.find(match);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no matching log line');
}

describe('a traced proxy whose collector is down', () => {
  test('answers as usual and stops promptly', async () => {
    const down = await startProxyFixture({
      proxy: { tracing: { otlpEndpoint: 'http://127.0.0.1:9' } },
    });
    try {
      const sdk = new OpenAI({ baseURL: down.proxy.url, apiKey: 'unused', maxRetries: 0 });
      for (let i = 0; i < 3; i++) {
        const answer = await sdk.chat.completions.create({
          model: 'auto',
          messages: [{ role: 'user', content: `still fine ${i}` }],
        });
        assert.equal(answer.choices[0]?.finish_reason, 'stop');
      }
    } finally {
      const began = performance.now();
      await down.close();
      assert.ok(performance.now() - began < 8000, 'close waited for the dead collector too long');
    }
  });
});
