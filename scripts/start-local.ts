// `npm start`: a local Switchyard on this machine, no cluster. Simulated providers (real wire
// formats, realistic latencies) on fixed loopback ports, and one proxy compiled from
// demo/. Ctrl-C stops everything.
import { serveManifests } from '../cli/serve-manifests.ts';
import { startFakeProvider, type FakePresetName } from '../test/fakes/index.ts';

const PROVIDERS: { preset: FakePresetName; port: number }[] = [
  { preset: 'openai', port: 18101 },
  { preset: 'anthropic', port: 18102 },
  { preset: 'gemini', port: 18103 },
  { preset: 'deepseek', port: 18104 },
  { preset: 'qwen', port: 18105 },
  { preset: 'mistral', port: 18106 },
  { preset: 'local', port: 18107 },
];
const API_PORT = Number(process.env['PORT'] ?? 8080);
const METRICS_PORT = Number(process.env['METRICS_PORT'] ?? 9090);

const apiOf: Record<FakePresetName, 'openai' | 'anthropic' | 'gemini'> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  deepseek: 'openai',
  qwen: 'openai',
  mistral: 'openai',
  groq: 'openai',
  local: 'openai',
};

const fakes = await Promise.all(
  PROVIDERS.map(({ preset, port }) =>
    startFakeProvider({ api: apiOf[preset], port, name: preset, preset }),
  ),
);
const served = await serveManifests({
  manifests: 'demo',
  port: API_PORT,
  metricsPort: METRICS_PORT,
  host: '127.0.0.1',
  quiet: process.env['SWITCHYARD_QUIET'] === '1',
  io: { stdout: (line) => console.log(line), stderr: (line) => console.error(line) },
});

const base = `http://127.0.0.1:${API_PORT}/v1`;
console.log(`
Switchyard is running — simulated providers: ${PROVIDERS.map((p) => `${p.preset}:${p.port}`).join(' ')}

  API      ${base}          (OpenAI-compatible; aliases: auto, batch, private)
  Metrics  http://127.0.0.1:${METRICS_PORT}/metrics

Try it:
  curl -s ${base}/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"auto","messages":[{"role":"user","content":"Explain step-by-step why the sky is blue"}]}' -i

Or with the OpenAI SDK (any language):
  import OpenAI from 'openai';
  const client = new OpenAI({ baseURL: '${base}', apiKey: 'unused' });
  const r = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Hi' }] });

Edit demo/*.yaml to experiment and the proxy reloads (npm run gen rewrites them from examples/).
Ctrl-C stops everything.
`);

const stop = async (): Promise<void> => {
  await served.close();
  await Promise.all(fakes.map((f) => f.close()));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
