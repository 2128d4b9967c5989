import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes; one call is one line. Tests pass their own. */
export interface CommandIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** What a command module exports. */
export interface CommandModule {
  /** The `--help` text. */
  usage: string;
  /** Runs the command; resolves to the exit code (0 ok, 1 problems found, 2 usage error). */
  run: (args: string[], io: CommandIo) => Promise<number>;
}

/** A command line the command cannot make sense of; exit code 2 with a pointer to `--help`. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** node:util parseArgs with its errors turned into UsageErrors. */
export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
