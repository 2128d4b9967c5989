import { EXIT, UsageError, type CommandIo } from './command.ts';
import { COMMANDS } from './commands.ts';

/** The `switchyard --help` text, listing every command of the dispatch table. */
export function globalUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: switchyard COMMAND [ARGS...]

Switchyard routes LLM requests to the cheapest adequate model, from Kubernetes manifests.

Commands:
${list}

Run "switchyard COMMAND --help" for the options of a command.`;
}

/**
 * Runs the `switchyard` command line and returns the exit code. Never throws: a usage error
 * prints one line and returns 2, and so does an unexpected error (no stack trace for users).
 */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined) {
      io.stderr(globalUsage());
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      return await help(args[0], io);
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry === undefined) {
      io.stderr(`switchyard: unknown command "${name}"; run "switchyard --help" for the list`);
      return EXIT.usage;
    }
    const command = await entry.load();
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `switchyard ${name ?? ''}: ${error.message}; run "switchyard ${name ?? ''} --help"`,
      );
      return EXIT.usage;
    }
    io.stderr(`switchyard: unexpected error: ${firstLine(error)}`);
    return EXIT.usage;
  }
}

async function help(name: string | undefined, io: CommandIo): Promise<number> {
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    io.stdout(globalUsage());
    return EXIT.ok;
  }
  io.stdout((await entry.load()).usage);
  return EXIT.ok;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? text;
}
