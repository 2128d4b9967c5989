/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Structured logging for the operator: one JSON object per line. Callers pass fields, never
 * whole Kubernetes objects, so a Secret's data cannot reach a log by accident.
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Where log lines go. */
export type LogWriter = (line: string) => void;

/** A logger writing JSON lines at `level` and above; `'silent'` discards everything. */
export function createLogger(
  level: LogLevel | 'silent' = 'info',
  write: LogWriter = (line) => process.stderr.write(line),
  base: Record<string, unknown> = {},
): Logger {
  const emit =
    (lineLevel: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (level === 'silent' || RANK[lineLevel] < RANK[level]) return;
      const line = { time: new Date().toISOString(), level: lineLevel, msg, ...base, ...fields };
      write(`${JSON.stringify(line)}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A short, secret-free description of an error for a log field. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
