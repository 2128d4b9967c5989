// The application of the end-to-end suite: runs in a pod of the workload image and calls
// Switchyard through its Service with the official OpenAI SDK, as any application would.
//
//   node test/e2e/workload/client.ts once URL
//     one chat completion; prints {status, headers, content} as JSON
//   node test/e2e/workload/client.ts steady URL --stop-file PATH [--workers 4] [--max-seconds 300]
//     requests without pause from each worker until PATH exists; prints {ok, failed, errors}
//
// The SDK's retries are off: a request the cluster drops must show up as a failure here, not be
// hidden by a second try.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'stop-file': { type: 'string' },
    workers: { type: 'string', default: '4' },
    'max-seconds': { type: 'string', default: '300' },
    model: { type: 'string', default: 'auto' },
  },
});
const [mode, baseURL] = positionals;
if (baseURL === undefined || (mode !== 'once' && mode !== 'steady')) {
  process.stderr.write('usage: client.ts once|steady URL [--stop-file PATH] [--workers N]\n');
  process.exit(2);
}

const client = new OpenAI({
  baseURL,
  apiKey: 'unused-by-an-open-proxy',
  maxRetries: 0,
  timeout: 30_000,
});

function ask(worker: number, n: number) {
  return client.chat.completions
    .create({
      model: values.model,
      messages: [{ role: 'user', content: `Say hello (worker ${worker}, request ${n}).` }],
    })
    .withResponse();
}

async function once(): Promise<void> {
  const { data, response } = await ask(0, 0);
  const headers = Object.fromEntries(
    [...response.headers.entries()].filter(
      ([name]) => name.startsWith('x-switchyard-') || name === 'x-request-id',
    ),
  );
  process.stdout.write(
    `${JSON.stringify({ status: response.status, headers, content: data.choices[0]?.message.content ?? null })}\n`,
  );
}

/** The SDK's message and, for connection errors, what the socket said (ECONNRESET, …). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error && parts.length < 4; at = at.cause) {
    const code = (at as NodeJS.ErrnoException).code;
    parts.push(code === undefined ? at.message : `${at.message} (${code})`);
  }
  return parts.join(' ← ');
}

async function steady(stopFile: string): Promise<void> {
  const deadline = Date.now() + Number(values['max-seconds']) * 1000;
  let ok = 0;
  const errors: string[] = [];
  const worker = async (id: number): Promise<void> => {
    for (let n = 0; !existsSync(stopFile) && Date.now() < deadline; n++) {
      try {
        const { data } = await ask(id, n);
        if (data.choices.length > 0) ok++;
        else errors.push('an answer without choices');
      } catch (error) {
        errors.push(`${new Date().toISOString()} worker ${id}: ${describe(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Number(values.workers) }, (_, id) => worker(id)));
  process.stdout.write(
    `${JSON.stringify({ ok, failed: errors.length, errors: errors.slice(0, 20) })}\n`,
  );
}

if (mode === 'once') await once();
else await steady(values['stop-file'] ?? '/tmp/stop');
