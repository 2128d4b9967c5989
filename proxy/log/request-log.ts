/**
 * One structured log line per request, the same shape for successes, streams, cache hits and
 * failures. Never contains prompt text unless `logPrompts` is on.
 */
export interface RequestLogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  msg: 'request';
  /** The response's `x-request-id`. */
  requestId?: string;
  /** The request's trace id when it was traced (`--otlp-endpoint`), to find its spans. */
  traceId?: string;
  /** The provider's id for the answer, when it sent one. */
  upstreamRequestId?: string;
  /** Who the request is for: the client key's name, else `x-switchyard-tenant`. */
  tenant?: string;
  /** The request's path, on failures (where it may not be a chat or embeddings call). */
  path?: string;
  route: string;
  /** How the tier was chosen: rule, client, classifier, embeddings, scorer or default. */
  classifiedBy?: string;
  rule?: string;
  /** When the policy's classifier model was asked: answered, timeout, error, unusable, skipped_*. */
  classifier?: string;
  classifierMs?: number;
  /** When the embeddings signal was asked: decided, unsure, warming, timeout, error, skipped_*. */
  embeddings?: string;
  /** The difficulty score, when the scorer decided. */
  difficulty?: number;
  tier?: string;
  provider?: string;
  model?: string;
  stream: boolean;
  status: number;
  errorCode?: string;
  /** Whose fault a failure was: caller, policy, provider or gateway. */
  origin?: string;
  /** The message the client got (a stack trace only for an internal error). */
  error?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Prompt tokens read from the provider's cache (part of promptTokens). */
  cachedTokens?: number;
  /** Prompt tokens written to the provider's cache (part of promptTokens). */
  cacheWriteTokens?: number;
  /** Reasoning tokens (part of completionTokens). */
  reasoningTokens?: number;
  usageEstimated?: boolean;
  latencyMs: number;
  ttftMs?: number;
  overheadMs: number;
  attempts: number;
  retries: number;
  costUSD?: number;
  cache?: string;
  /** The experiment and arm (control or variant), when the policy runs one. */
  experiment?: string;
  arm?: string;
  prompt?: unknown;
}

/** Where log lines go; stdout JSON by default, silent in benchmarks and tests. */
export type LogSink = (line: Record<string, unknown>) => void;

/** Bytes of pending log lines after which they are written at once rather than at the next turn. */
const FLUSH_AT_BYTES = 64 * 1024;

let pending = '';
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  if (pending === '') return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
}

/**
 * Writes each line as one JSON object on stdout. Lines finished in the same turn of the event loop
 * go out in one write: stdout to a file or a pipe is a synchronous syscall per write in Node, and
 * under load one per request was a measurable share of the proxy's CPU. Pending lines are written
 * before the process exits.
 */
export const stdoutSink: LogSink = (line) => {
  pending += `${JSON.stringify(line)}\n`;
  if (pending.length >= FLUSH_AT_BYTES) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
};
process.on('exit', flush);

/** Discards log lines. */
export const silentSink: LogSink = () => {};
