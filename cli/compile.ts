import { dump } from 'js-yaml';
import { formatProblem } from '../core/compile/manifest-problem.ts';
import { canonicalJson } from '../core/util/canonical-json.ts';
import { checkManifests, summaryOf } from './check-manifests.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import { priceTable } from './price-table.ts';

/** The `switchyard compile --help` text. */
export const usage = `Usage: switchyard compile [--output json|yaml|prices] PATH...

Compiles ModelProvider and RoutePolicy manifests into the RouterConfig the proxies serve, and
prints it on stdout (JSON by default, keys sorted). PATH is a file or a folder, as for validate.

What is rejected is left out of the config and reported on stderr, one line per problem, with
the same messages as switchyard validate; the config of everything else is still printed.

A model whose pricing has a feedRef is priced from its PriceFeed's status.prices when the
manifests hold that PriceFeed with a status (kubectl get pricefeed -o yaml), else from
spec.pricing; nothing is fetched.

Options:
  -o, --output FORMAT   json (default), yaml, or prices: one line per served model with the
                        prices in force and their source (a PriceFeed or spec)

Exit status: 0 when every object compiled, 1 when any problem was found, 2 on a usage error.`;

/** Runs `switchyard compile`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    output: { type: 'string', short: 'o', default: 'json' },
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (values.output !== 'json' && values.output !== 'yaml' && values.output !== 'prices') {
    throw new UsageError(`--output must be json, yaml or prices, not "${values.output}"`);
  }
  if (positionals.length === 0) throw new UsageError('give at least one file or folder');
  const check = await checkManifests(positionals);
  for (const problem of check.problems) io.stderr(formatProblem(problem));
  io.stderr(summaryOf(check));
  if (values.output === 'prices') {
    io.stdout(priceTable(check.result));
    return check.errorCount > 0 ? EXIT.problems : EXIT.ok;
  }
  // Round-tripping through canonical JSON sorts the keys, so the output is stable to diff.
  const sorted: unknown = JSON.parse(canonicalJson(check.result.config));
  io.stdout(
    values.output === 'yaml'
      ? dump(sorted, { lineWidth: -1, noRefs: true }).trimEnd()
      : JSON.stringify(sorted, null, 2),
  );
  return check.errorCount > 0 ? EXIT.problems : EXIT.ok;
}
