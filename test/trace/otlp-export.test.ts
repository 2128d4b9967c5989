// The tracer's spans reach a real Jaeger over OTLP/HTTP (protobuf) and come back from its query
// API with their names, parent links, GenAI attributes and service name.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTracing } from '../../proxy/trace/start-tracing.ts';
import { startJaeger, type Jaeger, type JaegerSpan } from '../harness/jaeger.ts';

let jaeger: Jaeger;
before(async () => {
  jaeger = await startJaeger();
});
after(async () => {
  await jaeger?.stop();
});

function tag(span: JaegerSpan | undefined, key: string): unknown {
  return span?.tags.find((t) => t.key === key)?.value;
}

test('spans exported over OTLP/HTTP arrive in Jaeger as one trace with its parent links and attributes', async () => {
  const tracer = await startTracing({
    otlpEndpoint: jaeger.otlpEndpoint,
    serviceName: 'switchyard-test',
    resourceAttributes: { 'k8s.pod.name': 'proxy-0' },
  });
  const request = tracer.startRequest({
    operation: 'chat',
    requestModel: 'auto',
    headers: {},
    requestId: 'req_otlp',
  });
  request.classified({
    source: 'classifier',
    tier: 'budget',
    classifierOutcome: 'answered',
    startMs: performance.now(),
    endMs: performance.now(),
  });
  const attempt = request.startAttempt({
    provider: 'cheap',
    api: 'openai',
    model: 'small',
    upstreamModel: 'small-2025',
    tier: 'budget',
    baseURL: 'http://127.0.0.1:8000/v1',
  });
  attempt.end({ outcome: 'ok', status: 200, usage: { inputTokens: 3, outputTokens: 4 } });
  request.end({
    status: 200,
    route: 'auto',
    api: 'openai',
    usage: { inputTokens: 3, outputTokens: 4 },
  });
  await tracer.shutdown();

  const trace = await jaeger.waitForTrace(request.traceId, (t) => t.spans.length === 3);
  const byName = new Map(trace.spans.map((s) => [s.operationName, s]));
  const server = byName.get('chat auto');
  assert.ok(server);
  assert.deepEqual(server.references, []);
  for (const child of ['classify', 'chat small-2025'])
    assert.deepEqual(
      byName.get(child)?.references.map((r) => r.spanID),
      [server.spanID],
      child,
    );
  assert.equal(tag(server, 'gen_ai.operation.name'), 'chat');
  assert.equal(tag(server, 'gen_ai.usage.output_tokens'), 4);
  assert.equal(tag(byName.get('chat small-2025'), 'gen_ai.request.model'), 'small-2025');
  assert.equal(tag(byName.get('chat small-2025'), 'span.kind'), 'client');
  const process = trace.processes[server.processID];
  assert.equal(process?.serviceName, 'switchyard-test');
  assert.equal(process?.tags.find((t) => t.key === 'k8s.pod.name')?.value, 'proxy-0');
});
