/** One structured log line per request. Never contains prompt text unless `logPrompts` is on. */
export interface RequestLogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  msg: 'request';
  route: string;
  rule?: string;
  tier?: string;
  provider?: string;
  model?: string;
  stream: boolean;
  status: number;
  errorCode?: string;
  promptTokens?: number;
  completionTokens?: number;
  usageEstimated?: boolean;
  latencyMs: number;
  ttftMs?: number;
  overheadMs: number;
  attempts: number;
  retries: number;
  costUSD?: number;
  cache?: string;
  prompt?: unknown;
}

/** Where log lines go; stdout JSON by default, silent in benchmarks and tests. */
export type LogSink = (line: Record<string, unknown>) => void;

/** Writes each line as one JSON object on stdout. */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** Discards log lines. */
export const silentSink: LogSink = () => {};
