// The fake provider server: plain node:http, keep-alive, TCP_NODELAY, and no per-request work
// beyond parsing the body and rendering the answer, so benchmarks can drive it past 10k req/s.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAnthropicFormat } from './anthropic-format.ts';
import { apiKeyOf } from './api-key.ts';
import { WORDS_PER_CHUNK } from './chunking.ts';
import { contentChunkCount, planCompletion } from './completion.ts';
import { embedText } from './embedding.ts';
import type { FakeApi } from './fake-api.ts';
import { createGeminiFormat } from './gemini-format.ts';
import { createOpenAIFormat } from './openai-format.ts';
import { presetStep, type FakePresetName } from './presets.ts';
import {
  errorKindForStatus,
  isFakeError,
  type ErrorContext,
  type FakeError,
  type FakeOperation,
  type GenerateRequest,
  type ProviderFormat,
} from './provider-format.ts';
import { isRecord, stringField } from './request-fields.ts';
import { sendBody, sendStream } from './responder.ts';
import { FakeScript } from './script.ts';
import { parseScriptSteps, type ScriptStep } from './script-step.ts';
import { estimateTokens } from './token-estimate.ts';

/** How to start a fake provider. */
export interface FakeProviderOptions {
  /** Wire format to speak. */
  api: FakeApi;
  /** TCP port; default 0 (a free port). */
  port?: number;
  /** Interface to listen on; default '127.0.0.1'. */
  host?: string;
  /** Name in logs and /__fake/health; default `fake-<api>`. */
  name?: string;
  /** Timing preset laid under the default step (see FAKE_PRESETS). */
  preset?: FakePresetName;
  /** What requests get when nothing is scripted; default `{}` (a prompt, successful answer). */
  defaultScript?: ScriptStep;
  /** When set, requests must carry exactly this key where the API expects it, else 401/400/403. */
  apiKey?: string;
  /** Models served; when set, other models get the provider's model-not-found error. */
  models?: readonly string[];
  /** When set, prompts estimated above it get the context-length error; also quoted in it. */
  contextWindowTokens?: number;
  /** OpenAI only: API path prefix; default '/v1'. */
  basePath?: string;
  /** Requests kept in `requests` (oldest dropped first); 0 keeps none. Default 10000. */
  maxRecordedRequests?: number;
}

/** One request the fake received (control endpoints excluded). */
export interface RecordedRequest {
  /** 1-based arrival number since start. */
  seq: number;
  method: string;
  /** Path and query string, as sent. */
  path: string;
  /** Lower-cased header names; repeated headers joined with ', '. Auth headers included. */
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when there was none or it did not parse. */
  body: unknown;
  /** The model asked for (body `model`, or Gemini's path). */
  model: string | undefined;
  operation: FakeOperation['kind'] | 'unknown';
  stream: boolean;
  /** The key found where this API expects it (see apiKeyOf). */
  apiKey: string | undefined;
  /** Date.now() when the request body had arrived. */
  startedAt: number;
  /** The step that answered it (default and scripted merged); undefined if rejected first. */
  step: ScriptStep | undefined;
}

/** A running fake provider. */
export interface FakeProvider {
  readonly api: FakeApi;
  readonly name: string;
  /** Base URL for a ModelProvider's `baseURL`: `…/v1` (OpenAI), the origin (Anthropic), `…/v1beta` (Gemini). */
  readonly url: string;
  /** `http://host:port`, where the control endpoints live. */
  readonly origin: string;
  readonly port: number;
  /** Requests received, oldest first (live array; cleared by reset()). */
  readonly requests: RecordedRequest[];
  /** The most recent request, if any. */
  readonly lastRequest: RecordedRequest | undefined;
  /** Scripted steps not yet used. */
  readonly pendingSteps: number;
  /** Queues behaviours for the next generation/embedding requests (FIFO). */
  script(steps: ScriptStep | readonly ScriptStep[]): void;
  /** Replaces the default step (laid over the preset, if any). */
  setDefault(step: ScriptStep): void;
  /** Clears the queue and the recorded requests and restores the starting default. */
  reset(): void;
  /** Resolves once `count` requests were recorded since the last reset; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Stops listening and drops every connection, black-holed ones included. */
  close(): Promise<void>;
}

const HEADER_CACHE_LIMIT = 256;

/** Starts a fake provider speaking `options.api` on a loopback port. */
export async function startFakeProvider(options: FakeProviderOptions): Promise<FakeProvider> {
  const fake = new FakeServer(options);
  await fake.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return fake.handle();
}

function formatFor(options: FakeProviderOptions): ProviderFormat {
  switch (options.api) {
    case 'openai':
      return createOpenAIFormat(
        options.basePath === undefined ? {} : { basePath: options.basePath },
      );
    case 'anthropic':
      return createAnthropicFormat();
    case 'gemini':
      return createGeminiFormat();
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(raw: string): { ok: boolean; value: unknown } {
  if (raw.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

/** Per-request facts shared by the handlers. */
interface Exchange {
  res: ServerResponse;
  record: RecordedRequest;
  override: ScriptStep | undefined;
}

class FakeServer {
  readonly #options: FakeProviderOptions;
  readonly #format: ProviderFormat;
  readonly #presetBase: ScriptStep;
  readonly #script: FakeScript;
  readonly #requests: RecordedRequest[] = [];
  readonly #headerSteps = new Map<string, ScriptStep | Error>();
  readonly #server: Server;
  #waiters: { count: number; resolve: () => void }[] = [];
  #seq = 0;
  #recordedSinceReset = 0;
  #port = 0;
  #host = '127.0.0.1';

  constructor(options: FakeProviderOptions) {
    this.#options = options;
    this.#format = formatFor(options);
    this.#presetBase = options.preset === undefined ? {} : presetStep(options.preset);
    this.#script = new FakeScript({ ...this.#presetBase, ...options.defaultScript });
    this.#server = createServer((req, res) => this.#onRequest(req, res));
    // Longer than any client's idle timeout, so the client, not the fake, closes idle
    // connections: a server-side close racing a new request shows up as a spurious reset.
    this.#server.keepAliveTimeout = 65_000;
    this.#server.headersTimeout = 66_000;
    this.#server.on('connection', (socket) => socket.setNoDelay(true));
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#host = host.includes(':') ? `[${host}]` : host;
  }

  handle(): FakeProvider {
    const origin = `http://${this.#host}:${this.#port}`;
    const requests = this.#requests;
    const script = this.#script;
    return {
      api: this.#options.api,
      name: this.#name,
      url: origin + this.#format.basePath,
      origin,
      port: this.#port,
      requests,
      get lastRequest() {
        return requests.at(-1);
      },
      get pendingSteps() {
        return script.pending;
      },
      script: (steps) => script.enqueue(steps),
      setDefault: (step) => script.setDefault({ ...this.#presetBase, ...step }),
      reset: () => this.#reset(),
      waitForRequests: (count, timeoutMs) => this.#waitFor(count, timeoutMs ?? 5000),
      close: () => this.#close(),
    };
  }

  get #name(): string {
    return this.#options.name ?? `fake-${this.#options.api}`;
  }

  #reset(): void {
    this.#script.reset();
    this.#requests.length = 0;
    this.#recordedSinceReset = 0;
  }

  #close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #waitFor(count: number, timeoutMs: number): Promise<RecordedRequest[]> {
    if (this.#recordedSinceReset >= count) return Promise.resolve(this.#requests);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        reject(
          new Error(
            `${this.#name}: ${this.#recordedSinceReset} of ${count} requests after ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const entry = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.#requests);
        },
      };
      this.#waiters.push(entry);
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw =
        chunks.length === 1 ? (chunks[0] ?? '').toString() : Buffer.concat(chunks).toString();
      this.#dispatch(req, res, raw).catch((error: unknown) => {
        // A bug in the fake must not look like a provider answer: say so plainly.
        console.error(`${this.#name}: internal error`, error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake provider internal error: ${String(error)}`);
      });
    });
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';
    if (path.startsWith('/__fake/')) {
      this.#control(res, method, path, raw);
      return;
    }
    const query = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
    const json = parseJson(raw);
    const operation = this.#format.route(method, path, query);
    const record = this.#recordRequest(req, operation, json.value, query);
    const override = this.#headerStep(record.headers['x-fake-script']);
    if (override instanceof Error) {
      this.#sendJson(res, 400, { error: { message: override.message, type: 'fake_script_error' } });
      return;
    }
    const exchange: Exchange = { res, record, override };
    const rejection = this.#precheck(operation, record, json.ok);
    if (rejection !== undefined || operation === undefined) {
      await this.#reject(exchange, rejection ?? this.#format.unknownRouteError(method, path));
      return;
    }
    await this.#perform(exchange, operation, json.value);
  }

  async #perform(exchange: Exchange, operation: FakeOperation, body: unknown): Promise<void> {
    switch (operation.kind) {
      case 'generate':
        return this.#generate(exchange, operation, body);
      case 'embed':
        return this.#embed(exchange, operation, body);
      case 'models':
        return this.#models(exchange);
    }
  }

  #recordRequest(
    req: IncomingMessage,
    operation: FakeOperation | undefined,
    body: unknown,
    query: URLSearchParams,
  ): RecordedRequest {
    const headers = flattenHeaders(req);
    const pathModel = operation !== undefined && 'model' in operation ? operation.model : undefined;
    return this.#record({
      seq: ++this.#seq,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      body,
      model: pathModel ?? stringField(isRecord(body) ? body.model : undefined),
      operation: operation?.kind ?? 'unknown',
      stream: false,
      apiKey: apiKeyOf(this.#options.api, headers, query),
      startedAt: Date.now(),
      step: undefined,
    });
  }

  /** Rejections every real API makes before looking at the request: route, key, headers, JSON. */
  #precheck(
    operation: FakeOperation | undefined,
    record: RecordedRequest,
    jsonOk: boolean,
  ): FakeError | undefined {
    if (operation === undefined) return undefined;
    const expected = this.#options.apiKey;
    if (expected !== undefined && record.apiKey !== expected) {
      return this.#format.authError(record.apiKey);
    }
    const headerError = this.#format.checkHeaders(record.headers);
    if (headerError !== undefined) return headerError;
    return jsonOk ? undefined : this.#format.invalidJsonError();
  }

  #record(record: RecordedRequest): RecordedRequest {
    const limit = this.#options.maxRecordedRequests ?? 10_000;
    if (limit > 0) {
      this.#requests.push(record);
      // Trim in halves so recording stays O(1) amortised under benchmark load.
      if (this.#requests.length >= limit * 2)
        this.#requests.splice(0, this.#requests.length - limit);
    }
    this.#recordedSinceReset += 1;
    if (this.#waiters.length > 0) {
      const ready = this.#waiters.filter((waiter) => waiter.count <= this.#recordedSinceReset);
      this.#waiters = this.#waiters.filter((waiter) => waiter.count > this.#recordedSinceReset);
      for (const waiter of ready) waiter.resolve();
    }
    return record;
  }

  /** Parses the `x-fake-script` header; benchmarks send the same one each time, so cache it. */
  #headerStep(value: string | undefined): ScriptStep | Error | undefined {
    if (value === undefined) return undefined;
    const cached = this.#headerSteps.get(value);
    if (cached !== undefined) return cached;
    let step: ScriptStep | Error;
    try {
      const steps = parseScriptSteps(JSON.parse(value));
      step =
        steps.length === 1 && steps[0] !== undefined
          ? steps[0]
          : new Error('x-fake-script: expected one step');
    } catch (error) {
      step = new Error(`x-fake-script: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.#headerSteps.size >= HEADER_CACHE_LIMIT) this.#headerSteps.clear();
    this.#headerSteps.set(value, step);
    return step;
  }

  #errorContext(record: RecordedRequest, promptTokens: number, step: ScriptStep): ErrorContext {
    return {
      seq: record.seq,
      model: record.model ?? '',
      promptTokens,
      contextWindowTokens: this.#options.contextWindowTokens ?? this.#format.contextWindowTokens,
      retryAfterSeconds: step.retryAfterSeconds,
    };
  }

  /** The error a step (or the context window) calls for, if any. */
  #stepError(step: ScriptStep, promptTokens: number): FakeError | undefined {
    const message = step.errorMessage === undefined ? {} : { message: step.errorMessage };
    if (step.contextLengthExceeded === true) {
      return { status: step.status ?? 400, kind: 'context_length', ...message };
    }
    if (step.status !== undefined && step.status >= 400) {
      return { status: step.status, kind: errorKindForStatus(step.status), ...message };
    }
    if (step.promptBlocked === true) {
      const blocked = this.#format.blockedPromptError();
      if (blocked !== undefined) return { ...blocked, ...message };
    }
    const window = this.#options.contextWindowTokens;
    if (window !== undefined && promptTokens > window) {
      return { status: 400, kind: 'context_length', ...message };
    }
    return undefined;
  }

  async #sendError(
    exchange: Exchange,
    error: FakeError,
    step: ScriptStep,
    promptTokens: number,
  ): Promise<void> {
    const context = this.#errorContext(exchange.record, promptTokens, step);
    const headers = this.#format.responseHeaders(exchange.record.seq);
    if (step.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(Math.ceil(step.retryAfterSeconds));
    }
    await sendBody(
      exchange.res,
      {
        status: error.status,
        contentType: this.#format.jsonContentType,
        body: this.#format.renderError(error, context),
        headers,
        waitMs: step.latencyMs ?? 0,
      },
      step,
    );
  }

  /** A rejection of the request itself (bad body, unknown model): no scripted faults apply. */
  async #reject(exchange: Exchange, error: FakeError, promptTokens = 0): Promise<void> {
    await this.#sendError(exchange, error, {}, promptTokens);
  }

  #unknownModel(model: string): boolean {
    const models = this.#options.models;
    return models !== undefined && !models.includes(model);
  }

  async #generate(
    exchange: Exchange,
    operation: Extract<FakeOperation, { kind: 'generate' }>,
    body: unknown,
  ): Promise<void> {
    const request = this.#format.parseGenerate(operation, body);
    if (isFakeError(request)) return this.#reject(exchange, request);
    const { record } = exchange;
    record.model = request.model;
    record.stream = request.stream;
    if (this.#unknownModel(request.model)) {
      return this.#reject(exchange, { status: 404, kind: 'not_found' }, request.promptTokens);
    }
    const step = this.#script.next(exchange.override);
    record.step = step;
    if (step.blackhole === true) return;
    const error = this.#stepError(step, request.promptTokens);
    const inBand = request.stream && step.streamErrorAfterChunks !== undefined;
    if (error !== undefined && !inBand)
      return this.#sendError(exchange, error, step, request.promptTokens);
    const completion = planCompletion({
      step,
      request,
      seq: record.seq,
      nowMs: Date.now(),
      wordsPerChunk: WORDS_PER_CHUNK[this.#options.api],
    });
    const headers = this.#format.responseHeaders(record.seq);
    if (!request.stream) {
      // A non-streamed answer arrives when the equivalent stream would have finished.
      const chunkCount = contentChunkCount(completion);
      const waitMs =
        (step.latencyMs ?? 0) +
        (step.ttftMs ?? 0) +
        (step.chunkDelayMs ?? 0) * Math.max(0, chunkCount - 1);
      const rendered = this.#format.renderCompletion(completion, request);
      const answer = {
        status: 200,
        contentType: this.#format.jsonContentType,
        body: rendered,
        headers,
        waitMs,
      };
      return sendBody(exchange.res, answer, step);
    }
    const frames = this.#format.renderStream(completion, request);
    const errorFrame = this.#inBandError(exchange, request, step, error);
    return sendStream(exchange.res, { frames, headers, errorFrame }, step);
  }

  /** The in-band error event of a stream the step ends early: the step's error, else overloaded. */
  #inBandError(
    exchange: Exchange,
    request: GenerateRequest,
    step: ScriptStep,
    error: FakeError | undefined,
  ): string | undefined {
    if (step.streamErrorAfterChunks === undefined) return undefined;
    const inBand = error ?? { status: 503, kind: 'overloaded' as const };
    const context = this.#errorContext(exchange.record, request.promptTokens, step);
    return this.#format.renderStreamError(inBand, context, request);
  }

  async #embed(
    exchange: Exchange,
    operation: Extract<FakeOperation, { kind: 'embed' }>,
    body: unknown,
  ): Promise<void> {
    const request = this.#format.parseEmbed(operation, body);
    if (isFakeError(request)) return this.#reject(exchange, request);
    exchange.record.model = request.model;
    const promptTokens = request.inputs.reduce((sum, input) => sum + estimateTokens(input), 0);
    if (this.#unknownModel(request.model)) {
      return this.#reject(exchange, { status: 404, kind: 'not_found' }, promptTokens);
    }
    const step = this.#script.next(exchange.override);
    exchange.record.step = step;
    if (step.blackhole === true) return;
    const error = this.#stepError(step, promptTokens);
    if (error !== undefined) return this.#sendError(exchange, error, step, promptTokens);
    const vectors = request.inputs.map((input) => embedText(input, request.dimensions));
    const answer = {
      status: 200,
      contentType: this.#format.jsonContentType,
      body: this.#format.renderEmbeddings(vectors, request, promptTokens),
      headers: this.#format.responseHeaders(exchange.record.seq),
      waitMs: step.latencyMs ?? 0,
    };
    await sendBody(exchange.res, answer, step);
  }

  /** Model listings (health probes) follow the default step but never consume scripted ones. */
  async #models(exchange: Exchange): Promise<void> {
    const step = this.#script.current(exchange.override);
    exchange.record.step = step;
    if (step.blackhole === true) return;
    const error = this.#stepError(step, 0);
    if (error !== undefined) return this.#sendError(exchange, error, step, 0);
    const answer = {
      status: 200,
      contentType: this.#format.jsonContentType,
      body: this.#format.renderModels(this.#options.models ?? this.#format.defaultModels),
      headers: this.#format.responseHeaders(exchange.record.seq),
      waitMs: step.latencyMs ?? 0,
    };
    await sendBody(exchange.res, answer, step);
  }

  #sendJson(res: ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }

  /** The control endpoints, so a fake in another process can be scripted and inspected. */
  #control(res: ServerResponse, method: string, path: string, raw: string): void {
    try {
      const route = `${method} ${path}`;
      switch (route) {
        case 'POST /__fake/script': {
          const steps = parseScriptSteps(JSON.parse(raw || 'null'));
          this.#script.enqueue(steps);
          this.#sendJson(res, 200, { queued: steps.length, pending: this.#script.pending });
          return;
        }
        case 'POST /__fake/default': {
          const [step] = parseScriptSteps(JSON.parse(raw || '{}'));
          this.#script.setDefault({ ...this.#presetBase, ...step });
          this.#sendJson(res, 200, { ok: true });
          return;
        }
        case 'POST /__fake/reset':
          this.#reset();
          this.#sendJson(res, 200, { ok: true });
          return;
        case 'GET /__fake/requests':
          this.#sendJson(res, 200, this.#requests);
          return;
        case 'GET /__fake/health':
          this.#sendJson(res, 200, {
            ok: true,
            name: this.#name,
            api: this.#options.api,
            pending: this.#script.pending,
            requests: this.#recordedSinceReset,
          });
          return;
        default:
          this.#sendJson(res, 404, { error: `unknown control endpoint ${route}` });
      }
    } catch (error) {
      this.#sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
