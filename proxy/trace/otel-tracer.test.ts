import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOtelTracer } from './otel-tracer.ts';
import type { RequestStart, TracingOptions } from './request-trace.ts';
import { tracingOptionsProblem } from './start-tracing.ts';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

function tracerWith(options: Partial<TracingOptions> = {}) {
  const exporter = new InMemorySpanExporter();
  const tracer = createOtelTracer({ otlpEndpoint: 'http://127.0.0.1:1', ...options }, { exporter });
  return {
    tracer,
    spans: async (): Promise<ReadableSpan[]> => {
      await tracer.flush();
      return exporter.getFinishedSpans();
    },
  };
}

const START: RequestStart = {
  operation: 'chat',
  requestModel: 'auto',
  headers: {},
  requestId: 'req_1',
  stream: false,
  maxTokens: 100,
  messages: [{ role: 'user', content: 'my secret prompt' }],
};

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `no span ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('the OpenTelemetry request tracer', () => {
  test('a request is one server span with classify, cache and attempt children carrying the GenAI attributes', async () => {
    const { tracer, spans } = tracerWith();
    const request = tracer.startRequest(START);
    request.classified({
      source: 'classifier',
      tier: 'premium',
      classifierOutcome: 'answered',
      startMs: 1,
      endMs: 2,
    });
    request.cacheLookup({ kind: 'exact', result: 'miss', startMs: 2, endMs: 3 });
    const failed = request.startAttempt({
      provider: 'cheap',
      api: 'openai',
      model: 'small',
      upstreamModel: 'gpt-4o-mini',
      tier: 'budget',
      baseURL: 'http://127.0.0.1:9999/v1',
    });
    failed.end({ outcome: 'server_error', status: 503 });
    const attempt = request.startAttempt({
      provider: 'claude',
      api: 'anthropic',
      model: 'sonnet',
      upstreamModel: 'claude-sonnet-4-5',
      tier: 'premium',
      baseURL: 'https://api.anthropic.com',
      retry: false,
    });
    const usage = { inputTokens: 12, outputTokens: 34, cachedInputTokens: 5 };
    attempt.end({
      outcome: 'ok',
      status: 200,
      responseModel: 'claude-sonnet-4-5-20250929',
      usage,
      finishReasons: ['stop'],
    });
    request.end({
      status: 200,
      route: 'auto',
      tier: 'premium',
      provider: 'claude',
      api: 'anthropic',
      model: 'sonnet',
      responseModel: 'claude-sonnet-4-5-20250929',
      usage,
      costUSD: 0.000123,
      cache: 'miss',
      finishReasons: ['stop'],
    });
    const all = await spans();
    assert.deepEqual(all.map((s) => s.name).sort(), [
      'cache lookup',
      'chat auto',
      'chat claude-sonnet-4-5',
      'chat gpt-4o-mini',
      'classify',
    ]);
    const server = byName(all, 'chat auto');
    assert.equal(parentOf(server), undefined);
    assert.equal(server.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(server.attributes['gen_ai.request.model'], 'auto');
    assert.equal(server.attributes['gen_ai.response.model'], 'claude-sonnet-4-5-20250929');
    assert.equal(server.attributes['gen_ai.provider.name'], 'anthropic');
    assert.equal(server.attributes['gen_ai.usage.input_tokens'], 12);
    assert.equal(server.attributes['gen_ai.usage.output_tokens'], 34);
    assert.equal(server.attributes['gen_ai.usage.cache_read.input_tokens'], 5);
    assert.equal(server.attributes['gen_ai.request.max_tokens'], 100);
    assert.deepEqual(server.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(server.attributes['switchyard.classification.source'], 'classifier');
    assert.equal(byName(all, 'classify').attributes['switchyard.classifier.outcome'], 'answered');
    assert.equal(server.attributes['switchyard.cost_usd'], 0.000123);
    for (const child of ['classify', 'cache lookup', 'chat gpt-4o-mini', 'chat claude-sonnet-4-5'])
      assert.equal(parentOf(byName(all, child)), server.spanContext().spanId, child);
    const winner = byName(all, 'chat claude-sonnet-4-5');
    assert.equal(winner.kind, 2 /* CLIENT */);
    assert.equal(winner.attributes['gen_ai.provider.name'], 'anthropic');
    assert.equal(winner.attributes['server.address'], 'api.anthropic.com');
    assert.equal(winner.attributes['server.port'], 443);
    const loser = byName(all, 'chat gpt-4o-mini');
    assert.equal(loser.attributes['error.type'], 'server_error');
    assert.equal(loser.attributes['http.response.status_code'], 503);
    assert.equal(loser.status.code, 2 /* ERROR */);
  });

  test("a client's traceparent becomes the parent, and each attempt sends its own to the provider", async () => {
    const { tracer, spans } = tracerWith();
    const request = tracer.startRequest({
      ...START,
      headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=1' },
    });
    assert.equal(request.traceId, CLIENT_TRACE);
    const attempt = request.startAttempt({
      provider: 'cheap',
      api: 'openai',
      model: 'small',
      upstreamModel: 'small',
      tier: 'budget',
      baseURL: 'http://127.0.0.1:1/v1',
    });
    attempt.end({ outcome: 'ok' });
    request.end({ status: 200 });
    const all = await spans();
    const server = byName(all, 'chat auto');
    assert.equal(server.spanContext().traceId, CLIENT_TRACE);
    assert.equal(parentOf(server), CLIENT_SPAN);
    const sent = byName(all, 'chat small');
    assert.equal(
      attempt.headers['traceparent'],
      `00-${CLIENT_TRACE}-${sent.spanContext().spanId}-01`,
    );
    assert.equal(attempt.headers['tracestate'], 'vendor=1');
  });

  test('a decision without a classifier call is attributes on the server span, not a span', async () => {
    const { tracer, spans } = tracerWith();
    const request = tracer.startRequest(START);
    request.classified({
      source: 'rule',
      tier: 'premium',
      rule: 'reasoning',
      startMs: 1,
      endMs: 2,
    });
    request.end({ status: 200 });
    const all = await spans();
    assert.deepEqual(
      all.map((s) => s.name),
      ['chat auto'],
    );
    assert.equal(all[0]?.attributes['switchyard.classification.source'], 'rule');
    assert.equal(all[0]?.attributes['switchyard.rule'], 'reasoning');
  });

  test('prompts and answers are recorded only when asked for', async () => {
    for (const recordContent of [false, true]) {
      const { tracer, spans } = tracerWith({ recordContent });
      tracer
        .startRequest(START)
        .end({ status: 200, output: [{ role: 'assistant', content: 'the answer' }] });
      const text = JSON.stringify((await spans()).map((s) => s.attributes));
      assert.equal(
        text.includes('my secret prompt'),
        recordContent,
        `recordContent ${recordContent}`,
      );
      assert.equal(text.includes('the answer'), recordContent);
    }
  });

  test('a sample ratio of 0 records nothing new but honours a sampled client trace, and still propagates', async () => {
    const { tracer, spans } = tracerWith({ sampleRatio: 0 });
    const unsampled = tracer.startRequest(START);
    assert.equal(unsampled.traceId, '');
    const attempt = unsampled.startAttempt({
      provider: 'cheap',
      api: 'openai',
      model: 'small',
      upstreamModel: 'small',
      tier: 'budget',
      baseURL: 'http://127.0.0.1:1/v1',
    });
    assert.match(attempt.headers['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    attempt.end({ outcome: 'ok' });
    unsampled.classified({ source: 'default', tier: 'budget', startMs: 1, endMs: 2 });
    unsampled.end({ status: 200 });
    const sampled = tracer.startRequest({
      ...START,
      headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
    });
    sampled.end({ status: 200 });
    assert.deepEqual(
      (await spans()).map((s) => s.spanContext().traceId),
      [CLIENT_TRACE],
    );
  });

  test('a 5xx marks the server span as an error with its code and origin', async () => {
    const { tracer, spans } = tracerWith();
    const request = tracer.startRequest(START);
    request.end({
      status: 502,
      route: 'auto',
      errorCode: 'ALL_TARGETS_FAILED',
      errorOrigin: 'provider',
    });
    request.end({ status: 200 });
    const [server] = await spans();
    assert.equal(server?.status.code, 2);
    assert.equal(server?.attributes['error.type'], 'ALL_TARGETS_FAILED');
    assert.equal(server?.attributes['switchyard.error.origin'], 'provider');
    assert.equal(server?.attributes['http.response.status_code'], 502);
  });
});

describe('tracing options', () => {
  const cases: [string, TracingOptions, RegExp | undefined][] = [
    [
      'an http endpoint is fine',
      { otlpEndpoint: 'http://otel-collector.monitoring:4318' },
      undefined,
    ],
    [
      'an https endpoint with a path is fine',
      { otlpEndpoint: 'https://otlp.example.com/otlp', sampleRatio: 0.1 },
      undefined,
    ],
    [
      'a bare host name is not a URL',
      { otlpEndpoint: 'otel-collector:4318' },
      /http:\/\/ or https:\/\//,
    ],
    ['gRPC is not OTLP/HTTP', { otlpEndpoint: 'grpc://collector:4317' }, /http:\/\/ or https:\/\//],
    ['garbage is refused', { otlpEndpoint: 'not a url' }, /is not a URL/],
    [
      'credentials never sit in the URL',
      { otlpEndpoint: 'https://user:pw@collector:4318' },
      /credentials/,
    ],
    [
      'a ratio above 1 is refused',
      { otlpEndpoint: 'http://c:4318', sampleRatio: 1.5 },
      /between 0 and 1/,
    ],
    [
      'a negative ratio is refused',
      { otlpEndpoint: 'http://c:4318', sampleRatio: -0.1 },
      /between 0 and 1/,
    ],
  ];
  for (const [name, options, expected] of cases) {
    test(name, () => {
      const problem = tracingOptionsProblem(options);
      if (expected === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? '', expected);
    });
  }
});
