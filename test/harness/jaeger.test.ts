// The Jaeger harness receives OTLP/HTTP spans and serves them back from its query API, parent
// links and attributes included.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startJaeger } from './jaeger.ts';

test('startJaeger takes OTLP/HTTP spans and returns the trace, parent links and attributes', async () => {
  const jaeger = await startJaeger();
  try {
    const traceId = randomBytes(16).toString('hex');
    const parent = randomBytes(8).toString('hex');
    const child = randomBytes(8).toString('hex');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, name: string, parentSpanId: string | undefined) => ({
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name,
      kind: 2,
      startTimeUnixNano: String(nowNs),
      endTimeUnixNano: String(nowNs + 1_000_000n),
      attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'auto' } }],
    });
    const response = await fetch(`${jaeger.otlpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { stringValue: 'harness-test' } }],
            },
            scopeSpans: [
              { spans: [span(parent, 'chat auto', undefined), span(child, 'attempt', parent)] },
            ],
          },
        ],
      }),
    });
    assert.equal(response.status, 200, await response.text());
    const trace = await jaeger.waitForTrace(traceId, (t) => t.spans.length === 2);
    const byName = new Map(trace.spans.map((s) => [s.operationName, s]));
    assert.deepEqual(
      byName.get('attempt')?.references.map((r) => r.spanID),
      [parent],
    );
    assert.deepEqual(
      byName.get('chat auto')?.tags.find((t) => t.key === 'gen_ai.request.model')?.value,
      'auto',
    );
    assert.equal(trace.processes[byName.get('attempt')!.processID]?.serviceName, 'harness-test');
    assert.equal(await jaeger.trace(randomBytes(16).toString('hex')), undefined);
  } finally {
    await jaeger.stop();
  }
});
