// Tracing off costs nothing: a proxy started without an OTLP endpoint, serving a request, loads
// no module of the OpenTelemetry SDK (idle memory is a tracked goal). With an endpoint it does —
// which shows the check below can see them. Fresh processes: this test process may have loaded
// them. @opentelemetry/api is not counted: prom-client requires it for exemplars, so every proxy
// loaded it before tracing existed (~60 kB of small modules, no SDK, no exporter).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../harness/tools.ts';

function modulesLoaded(tracing: boolean): string[] {
  const script = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    loaded.push(result.url);
    return result;
  },
});
const { startProxy } = await import(${JSON.stringify(join(repoRoot, 'proxy/proxy.ts'))});
const proxy = await startProxy({
  port: 0, metricsPort: 0, host: '127.0.0.1', log: () => {},
  ${tracing ? "tracing: { otlpEndpoint: 'http://127.0.0.1:9' }," : ''}
});
const response = await fetch(proxy.url + '/chat/completions', {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
});
await response.arrayBuffer();
await fetch(proxy.metricsUrl).then((r) => r.text());
await proxy.close();
console.log(JSON.stringify(loaded.filter((url) => url.includes('@opentelemetry') && !url.includes('@opentelemetry/api/'))));
`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
}

test('a proxy without an OTLP endpoint loads nothing of the OpenTelemetry SDK, even serving requests', () => {
  assert.deepEqual(modulesLoaded(false), []);
});

test('a proxy with an OTLP endpoint loads the OpenTelemetry SDK and exporter', () => {
  const loaded = modulesLoaded(true);
  for (const name of ['@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-proto'])
    assert.ok(
      loaded.some((url) => url.includes(name)),
      `${name} among ${loaded.length} modules`,
    );
});
