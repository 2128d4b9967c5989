// Runs one fake provider out of process, for the local demo, e2e suites and benchmarks:
//   node test/fakes/main.ts --api openai --port 0 [--preset deepseek] [--latency-ms N]
//     [--ttft-ms N] [--chunk-delay-ms N] [--api-key KEY] [--models a,b] [--name NAME]
//     [--host 127.0.0.1] [--context-window N] [--no-record]
// Prints {"name","api","url","origin","port"} on one line once listening, then serves until
// SIGINT/SIGTERM. Script it over HTTP: POST /__fake/script, /__fake/default, /__fake/reset;
// GET /__fake/requests, /__fake/health.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { FAKE_APIS, isFakeApi } from './fake-api.ts';
import { FAKE_PRESETS, isFakePresetName } from './presets.ts';
import type { ScriptStep } from './script-step.ts';
import { startFakeProvider, type FakeProviderOptions } from './server.ts';

function fail(message: string): never {
  process.stderr.write(`fake provider: ${message}\n`);
  process.exit(2);
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) fail(`--${flag} must be a non-negative number`);
  return parsed;
}

const { values } = parseArgs({
  options: {
    api: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    name: { type: 'string' },
    preset: { type: 'string' },
    'latency-ms': { type: 'string' },
    'ttft-ms': { type: 'string' },
    'chunk-delay-ms': { type: 'string' },
    'api-key': { type: 'string' },
    models: { type: 'string' },
    'context-window': { type: 'string' },
    'no-record': { type: 'boolean', default: false },
  },
  strict: true,
});

const preset = values.preset;
if (preset !== undefined && !isFakePresetName(preset)) {
  fail(`unknown --preset ${preset}; one of ${Object.keys(FAKE_PRESETS).join(', ')}`);
}
const api: string | undefined =
  values.api ?? (preset === undefined ? undefined : FAKE_PRESETS[preset].api);
if (api === undefined || !isFakeApi(api)) fail(`--api must be one of ${FAKE_APIS.join(', ')}`);

const timing: ScriptStep = {};
const latencyMs = number('latency-ms', values['latency-ms']);
const ttftMs = number('ttft-ms', values['ttft-ms']);
const chunkDelayMs = number('chunk-delay-ms', values['chunk-delay-ms']);
if (latencyMs !== undefined) timing.latencyMs = latencyMs;
if (ttftMs !== undefined) timing.ttftMs = ttftMs;
if (chunkDelayMs !== undefined) timing.chunkDelayMs = chunkDelayMs;

const options: FakeProviderOptions = {
  api,
  port: number('port', values.port) ?? 0,
  host: values.host,
  defaultScript: timing,
  maxRecordedRequests: values['no-record'] ? 0 : 10_000,
};
if (values.name !== undefined) options.name = values.name;
else if (preset !== undefined) options.name = `fake-${preset}`;
if (preset !== undefined) options.preset = preset;
if (values['api-key'] !== undefined) options.apiKey = values['api-key'];
if (values.models !== undefined) options.models = values.models.split(',').filter(Boolean);
const contextWindow = number('context-window', values['context-window']);
if (contextWindow !== undefined) options.contextWindowTokens = contextWindow;

const fake = await startFakeProvider(options);
process.stdout.write(
  `${JSON.stringify({ name: fake.name, api: fake.api, url: fake.url, origin: fake.origin, port: fake.port })}\n`,
);

const stop = (): void => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
