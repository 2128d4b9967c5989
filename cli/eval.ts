import { readFile } from 'node:fs/promises';
import { compile } from '../core/compile/compile.ts';
import { parseDataset, type DatasetItem } from '../core/eval/dataset.ts';
import type { EvalSummary } from '../core/eval/metrics.ts';
import { buildRouteIndex, type IndexedRoute } from '../core/routing/route-index.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import {
  apgrOf,
  calibrate,
  decideWith,
  evaluate,
  prepare,
  sweep,
  type Decide,
  type SweepPoint,
} from './eval-run.ts';
import { startLiveSignals } from './eval-live.ts';
import { printEvaluation } from './eval-print.ts';
import { loadManifests } from './load-manifests.ts';

/** The `switchyard eval --help` text. */
export const usage = `Usage: switchyard eval --manifests DIR --dataset FILE.jsonl [options]

Routes every prompt of a labelled dataset with the proxy's own decision code, in-process and
without sockets, and prints how good the routing is: the share of prompts per tier, what it
costs against always-top and always-cheapest, recall and precision per tier, adequacy (the share
sent to a tier at least as good as needed) and, when the dataset has grades, the quality-versus-
cost curve over the difficulty scorer's threshold and its area (APGR; random routing scores 0.5).
The dataset format is in docs/routing.md ("How good is the routing?").

Options:
  --manifests DIR         folder (or file) of manifests, as for serve
  --dataset FILE          JSON Lines: {"prompt" | "messages" | "request", "label", "grades"?}
  --model ALIAS           the policy alias to evaluate (default: auto, or the only one)
  --output-tokens N       output tokens assumed for cost when a request sets no max_tokens (500)
  --sweep                 print the figures at each of 20 steps of the top tier's threshold
  --calibrate             print the top-tier threshold that sends --premium-share of the prompts
  --premium-share X       the share for --calibrate, 0 to 1 (default 0.3)
  --live                  also ask the policy's classifier model and embeddings signal, for real
                          (a proxy in this process calls them; without it they are skipped)
  --json                  print one JSON object (stable: schemaVersion 1)`;

/** The JSON that `--json` prints; its shape is stable (schemaVersion 1). */
export interface EvalReport {
  schemaVersion: 1;
  route: string;
  policy: string;
  dataset: string;
  /** The scorer as compiled: thresholds most capable tier first, and where they came from. */
  scorer: NonNullable<IndexedRoute['config']['classification']['scorer']> | null;
  summary: EvalSummary;
  /** APGR over the threshold sweep; null without a scorer or without grades. */
  apgr: number | null;
  /** Interior sweep points that beat random routing at their cost share, and how many there are. */
  beatsRandom: { points: number; of: number } | null;
  /** The sweep, with --sweep. */
  sweep: SweepPoint[] | null;
  calibration: { premiumShare: number; threshold: number; topShare: number } | null;
  promptsPerSecond: number;
}

interface EvalOptions {
  manifests: string;
  dataset: string;
  model: string | undefined;
  outputTokens: number | undefined;
  sweep: boolean;
  calibrate: boolean;
  premiumShare: number;
  live: boolean;
  json: boolean;
}

/** Sweep steps: 21 points from threshold 1 (nothing by the scorer) to 0 (everything). */
const SWEEP_STEPS = 20;

/** Runs `switchyard eval`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const options = parseOptions(args);
  if (options === 'help') {
    io.stdout(usage);
    return EXIT.ok;
  }
  const loaded = await loadManifests([options.manifests]);
  const index = buildRouteIndex(compile(loaded.snapshot).config);
  const offline = pickRoute(index.routes, options.model, options.manifests, io);
  if (offline === undefined) return EXIT.problems;
  const items = await readItems(options.dataset, offline, io);
  if (items === undefined) return EXIT.problems;
  const live = options.live ? await startLiveSignals(loaded) : undefined;
  let report: EvalReport;
  try {
    const route = live?.route(offline.config.alias) ?? offline;
    report = await evaluateAll(route, items, options, decideWith(live ?? {}));
  } finally {
    await live?.close();
  }
  if (options.json) io.stdout(JSON.stringify(report, null, 2));
  else printEvaluation(report, io);
  return EXIT.ok;
}

async function evaluateAll(
  route: IndexedRoute,
  items: DatasetItem[],
  options: EvalOptions,
  decide: Decide,
): Promise<EvalReport> {
  const started = performance.now();
  const prepared = prepare(route, items, options.outputTokens);
  const { summary } = await evaluate(route, prepared, decide);
  const seconds = (performance.now() - started) / 1000;
  const scorer = route.config.classification.scorer ?? null;
  const points = scorer === null ? null : await sweep(route, prepared, decide, SWEEP_STEPS);
  const interior = points?.filter((p) => p.topShare > 0 && p.topShare < 1 && p.pgr !== null);
  const calibration =
    options.calibrate && scorer !== null
      ? {
          premiumShare: options.premiumShare,
          ...(await calibrate(route, prepared, decide, options.premiumShare)),
        }
      : null;
  return {
    schemaVersion: 1,
    route: route.config.alias,
    policy: `${route.config.namespace}/${route.config.policy}`,
    dataset: options.dataset,
    scorer,
    summary,
    apgr: points === null ? null : apgrOf(points),
    beatsRandom:
      interior === undefined || interior.length === 0
        ? null
        : { points: interior.filter((p) => p.beatsRandom === true).length, of: interior.length },
    sweep: options.sweep ? points : null,
    calibration,
    promptsPerSecond: Math.round(items.length / Math.max(seconds, 1e-6)),
  };
}

function parseOptions(args: string[]): EvalOptions | 'help' {
  const { values } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    manifests: { type: 'string' },
    dataset: { type: 'string' },
    model: { type: 'string' },
    'output-tokens': { type: 'string' },
    sweep: { type: 'boolean', default: false },
    calibrate: { type: 'boolean', default: false },
    'premium-share': { type: 'string' },
    live: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (values.help === true) return 'help';
  if (values.manifests === undefined || values.dataset === undefined)
    throw new UsageError('--manifests DIR and --dataset FILE are required');
  const share = values['premium-share'] === undefined ? 0.3 : Number(values['premium-share']);
  if (!(share > 0 && share < 1)) throw new UsageError('--premium-share must be between 0 and 1');
  if (values['premium-share'] !== undefined && values.calibrate !== true)
    throw new UsageError('--premium-share goes with --calibrate');
  const output = values['output-tokens'];
  const outputTokens = output === undefined ? undefined : Number(output);
  if (outputTokens !== undefined && !(Number.isInteger(outputTokens) && outputTokens >= 0))
    throw new UsageError('--output-tokens must be a whole number of tokens');
  return {
    manifests: values.manifests,
    dataset: values.dataset,
    model: values.model,
    outputTokens,
    sweep: values.sweep === true,
    calibrate: values.calibrate === true,
    premiumShare: share,
    live: values.live === true,
    json: values.json === true,
  };
}

function pickRoute(
  routes: Map<string, IndexedRoute>,
  model: string | undefined,
  manifests: string,
  io: CommandIo,
): IndexedRoute | undefined {
  const name = model ?? (routes.size === 1 ? [...routes.keys()][0] : 'auto');
  const route = name === undefined ? undefined : routes.get(name);
  if (route === undefined) {
    const aliases = [...routes.keys()].join(', ') || '(none)';
    io.stderr(
      `no RoutePolicy with model "${name ?? ''}" in ${manifests}; aliases: ${aliases} (pick one with --model)`,
    );
  }
  return route;
}

/** Reads and checks the dataset; every bad line is reported, and then nothing is evaluated. */
async function readItems(
  file: string,
  route: IndexedRoute,
  io: CommandIo,
): Promise<DatasetItem[] | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    io.stderr(`${file}: cannot read the dataset`);
    return undefined;
  }
  const { items, problems } = parseDataset(text, route.config.alias);
  const tiers = route.tiers.map((t) => t.name);
  items.forEach((item) => {
    if (!tiers.includes(item.label))
      problems.push({
        line: item.line,
        message: `label "${item.label}" is not a tier of ${route.config.alias} (${tiers.join(', ')})`,
      });
  });
  if (items.length === 0 && problems.length === 0)
    problems.push({ line: 0, message: 'no prompts' });
  if (problems.length === 0) return items;
  problems.sort((a, b) => a.line - b.line);
  for (const p of problems.slice(0, 20)) io.stderr(`${file}:${p.line}: ${p.message}`);
  if (problems.length > 20) io.stderr(`… and ${problems.length - 20} more`);
  return undefined;
}
