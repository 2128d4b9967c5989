// The `switchyard` command (bin/switchyard.js imports this file). Everything that can fail runs
// inside runCli, which turns errors into one line and an exit code; the handlers below catch what
// escapes it (an error in a stream callback), so users never see a stack trace.
import { runCli } from './run-cli.ts';

const fail = (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: unexpected error: ${message.split('\n')[0] ?? ''}\n`);
  process.exit(2);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// `switchyard compile dir | head` closes stdout early; that is not an error worth reporting.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else fail(error);
});

const code = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
// A command that failed after opening a server or a watch must still end (a pod restarts then).
if (code !== 0) process.exit(code);
