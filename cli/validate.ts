import { formatProblem } from '../core/compile/manifest-problem.ts';
import { checkManifests, summaryOf } from './check-manifests.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';

/** The `switchyard validate --help` text. */
export const usage = `Usage: switchyard validate PATH...

Checks ModelProvider and RoutePolicy manifests the way the operator would, without a cluster.
PATH is a file or a folder (searched recursively for *.yaml and *.yml); files may hold many
documents separated by ---. Secrets (v1) are read as credential sources: only their key names
matter and their values are never printed. Other Kubernetes kinds are skipped with a note.

Every problem is printed on one line as file:line: object: field: message (hint: ...):
YAML syntax, unknown kinds, invalid metadata, schema errors, and what compile() reports across
objects (missing providers, models or Secret keys, conflicting names, invalid patterns, ...).

Exit status: 0 when there is no problem, 1 when there is one, 2 on a usage error.`;

/** Runs `switchyard validate`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one file or folder');
  const check = await checkManifests(positionals);
  for (const problem of check.problems) io.stdout(formatProblem(problem));
  io.stdout(summaryOf(check));
  return check.errorCount > 0 ? EXIT.problems : EXIT.ok;
}
