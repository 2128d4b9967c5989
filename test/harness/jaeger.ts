// A throwaway Jaeger (v2, built from the Go module proxy into .cache/bin) on loopback: an OTLP/HTTP
// receiver, in-memory storage and the query API, with helpers to read a trace back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePorts } from './ports.ts';
import { makeTempDir, removeTempDir, startProcess, waitUntil } from './processes.ts';
import { goBinary } from './tools.ts';

/** A span as Jaeger's query API (`/api/traces/{id}`) returns it. */
export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { refType: string; traceID: string; spanID: string }[];
  readonly startTime: number;
  readonly duration: number;
  readonly tags: readonly { key: string; type: string; value: unknown }[];
  readonly processID: string;
}

/** One trace from the query API. */
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<
    Record<string, { serviceName: string; tags: readonly { key: string; value: unknown }[] }>
  >;
}

/** A running Jaeger. */
export interface Jaeger {
  /** Base URL of the OTLP/HTTP receiver (`…/v1/traces` is appended by exporters). */
  readonly otlpEndpoint: string;
  /** Base URL of the query API and UI. */
  readonly queryUrl: string;
  readonly logFile: string;
  /** The trace with this id (32 hex digits), or undefined while Jaeger has none. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** Polls until the trace exists and `ready` accepts it (spans arrive in batches). */
  waitForTrace(
    traceId: string,
    ready?: (trace: JaegerTrace) => boolean,
    timeoutMs?: number,
  ): Promise<JaegerTrace>;
  /** Recent traces of a service. */
  traces(service: string, limit?: number): Promise<JaegerTrace[]>;
  stop(): Promise<void>;
}

function renderConfig(ports: { otlp: number; http: number; grpc: number }): string {
  // JSON is YAML: no YAML library needed. Only what the tests use: OTLP/HTTP in, memory, query.
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['batch'],
          exporters: ['jaeger_storage_exporter'],
        },
      },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 10000 } } } },
      jaeger_query: {
        storage: { traces: 'memstore' },
        http: { endpoint: `127.0.0.1:${ports.http}` },
        grpc: { endpoint: `127.0.0.1:${ports.grpc}` },
      },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${ports.otlp}` } } } },
    // Short batches: tests read a trace back right after the request.
    processors: { batch: { timeout: '100ms' } },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T | undefined }> {
  const response = await fetch(url);
  if (!response.ok) {
    await response.arrayBuffer();
    return { status: response.status, body: undefined };
  }
  return { status: response.status, body: (await response.json()) as T };
}

/** Starts Jaeger and resolves once its query API answers. */
export async function startJaeger(options: { timeoutMs?: number } = {}): Promise<Jaeger> {
  const binary = goBinary('jaeger');
  const dir = makeTempDir('jaeger');
  const [otlp = 0, http = 0, grpc = 0] = await freePorts(3);
  const configFile = join(dir, 'jaeger.json');
  writeFileSync(configFile, renderConfig({ otlp, http, grpc }));
  const server = startProcess('jaeger', binary, [`--config=file:${configFile}`], {
    logFile: join(dir, 'jaeger.log'),
  });
  const queryUrl = `http://127.0.0.1:${http}`;
  const otlpEndpoint = `http://127.0.0.1:${otlp}`;
  try {
    await waitUntil(
      'jaeger query API and OTLP receiver',
      async () => {
        const services = await fetch(`${queryUrl}/api/services`);
        await services.arrayBuffer();
        // An empty batch is a valid OTLP request: 200 once the receiver listens.
        const receiver = await fetch(`${otlpEndpoint}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"resourceSpans":[]}',
        });
        await receiver.arrayBuffer();
        return services.ok && receiver.ok ? true : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 100, processes: [server] },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }

  const trace = async (traceId: string): Promise<JaegerTrace | undefined> => {
    const { status, body } = await getJson<{ data: JaegerTrace[] }>(
      `${queryUrl}/api/traces/${traceId}`,
    );
    if (status === 404) return undefined;
    if (body === undefined) throw new Error(`GET /api/traces/${traceId}: ${status}`);
    return body.data[0];
  };
  let stopped = false;
  return {
    otlpEndpoint,
    queryUrl,
    logFile: server.logFile,
    trace,
    async waitForTrace(traceId, ready = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: JaegerTrace | undefined;
      for (;;) {
        last = await trace(traceId);
        if (last !== undefined && ready(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for trace ${traceId}; last: ` +
              `${last === undefined ? 'none' : last.spans.map((s) => s.operationName).join(', ')}; log ${server.logFile}`,
          );
        }
        await delay(100);
      }
    },
    async traces(service, limit = 20) {
      const { body } = await getJson<{ data: JaegerTrace[] }>(
        `${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}`,
      );
      return body?.data ?? [];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      removeTempDir(dir);
    },
  };
}
