// 7. The difficulty scorer (issue 17): what it adds per request, measured three ways against the
// same build with the scorer off, in the same run — decide() in this process over real prompts,
// single requests through a proxy (interleaved), and throughput under load (alternating runs) —
// plus its cost on adversarial 1 MB inputs and `switchyard eval`'s speed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../core/compile/compile.ts';
import type { RawObject } from '../core/compile/snapshot.ts';
import { builtinScorer } from '../core/difficulty/builtin.ts';
import { promptInput } from '../core/difficulty/difficulty-input.ts';
import { scoreDifficulty } from '../core/difficulty/model.ts';
import { parseDataset } from '../core/eval/dataset.ts';
import { decide } from '../core/routing/decide.ts';
import { routingInputFor } from '../core/routing/request-input.ts';
import { buildRouteIndex, type IndexedRoute } from '../core/routing/route-index.ts';
import type { RoutingInput } from '../core/routing/routing-input.ts';
import { decideWith, evaluate, prepare } from '../cli/eval-run.ts';
import type { BenchContext } from './lib/context.ts';
import { Client, closeAll, durations, endpoint, interleaved, warmUp } from './lib/http.ts';
import { pickLoadTool, runLoad } from './lib/load.ts';
import { writeManifests } from './lib/manifests.ts';
import { formatMs, formatNumber } from './lib/report.ts';
import { startFake, startSwitchyard } from './lib/services.ts';
import { summarize } from './lib/stats.ts';

/** Issue 17's goals for the scorer on the hot path and for eval. */
export const SCORER_GOALS = {
  p50Us: 50,
  p99Us: 200,
  throughputRatio: 0.95,
  evalPerS: 500,
} as const;

const ROOT = join(import.meta.dirname, '..');
const DATASETS = [
  'data/difficulty/heldout/mt-bench.jsonl',
  'data/difficulty/heldout/gsm8k-test.jsonl',
  'data/difficulty/heldout/mmlu.jsonl',
  'data/difficulty/mmlu-pro-test.jsonl',
];

/** Runs measurement 7. */
export async function measureScorer(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('scorer', '7. Difficulty scorer: added per request, scorer on against off');
  await inProcess(ctx);
  await throughProxy(ctx);
}

/** Two one-tier policies over the same target, one with the scorer. */
function routes(): { on: IndexedRoute; off: IndexedRoute } {
  const policy = (name: string, classification: Record<string, unknown>): RawObject => ({
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name, namespace: 'bench' },
    spec: {
      model: name,
      tiers: [{ name: 'main', targets: [{ provider: 'p', model: 'm' }] }],
      classification,
    },
  });
  const { config } = compile({
    providers: [
      {
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'ModelProvider',
        metadata: { name: 'p', namespace: 'bench' },
        spec: {
          api: 'openai',
          baseURL: 'http://127.0.0.1:1/v1',
          models: [
            {
              name: 'm',
              contextWindow: 400000,
              pricing: { inputPerMillion: 1, outputPerMillion: 1 },
            },
          ],
        },
      },
    ],
    policies: [policy('on', { scorer: {} }), policy('off', {})],
    secrets: [],
  });
  const index = buildRouteIndex(config);
  return { on: index.routes.get('on')!, off: index.routes.get('off')! };
}

async function inProcess(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  const items = DATASETS.flatMap(
    (f) => parseDataset(readFileSync(join(ROOT, f), 'utf8'), 'on').items,
  );
  const inputs = items.map((i) => routingInputFor(i.request, {}));
  const { on, off } = routes();
  const context = {
    health: () => ({ circuit: 'closed' as const }),
    random: () => 0,
    budget: 'normal' as const,
  };
  const time = async (route: IndexedRoute, input: RoutingInput) => {
    const resolution = { routeName: route.config.alias, route, direct: undefined };
    const started = process.hrtime.bigint();
    await decide(resolution, input, false, context);
    return Number(process.hrtime.bigint() - started) / 1000;
  };
  const rounds = ctx.size(2, 5);
  const onUs: number[] = [];
  const offUs: number[] = [];
  const scorerUs: number[] = [];
  const model = builtinScorer('difficulty-v1');
  for (let r = 0; r < rounds + 1; r++) {
    for (const input of inputs) {
      // Alternate which goes first, so neither gets the warmer caches.
      const [a, b] = r % 2 === 0 ? [on, off] : [off, on];
      const ta = await time(a, input);
      const tb = await time(b, input);
      const started = process.hrtime.bigint();
      scoreDifficulty(model, input);
      const ts = Number(process.hrtime.bigint() - started) / 1000;
      if (r === 0) continue; // warm-up round
      (a === on ? onUs : offUs).push(ta);
      (b === on ? onUs : offUs).push(tb);
      scorerUs.push(ts);
    }
  }
  const [sOn, sOff, sScore] = [summarize(onUs), summarize(offUs), summarize(scorerUs)];
  report.line(
    `  decide() in process over ${inputs.length} real prompts (MT-Bench, GSM8K, MMLU, MMLU-Pro; median ${median(inputs.map((i) => i.lastUserText.length))} characters), ${rounds} rounds`,
  );
  report.table([
    ['', 'p50', 'p99', 'max'],
    ['decide(), scorer off', us(sOff.p50), us(sOff.p99), us(sOff.max)],
    ['decide(), scorer on', us(sOn.p50), us(sOn.p99), us(sOn.max)],
    ['the scorer alone', us(sScore.p50), us(sScore.p99), us(sScore.max)],
  ]);
  report.check(
    'scorer added at p50 (decide on − off)',
    sOn.p50 - sOff.p50,
    '<=',
    SCORER_GOALS.p50Us,
    'µs',
  );
  report.check(
    'scorer added at p99 (decide on − off)',
    sOn.p99 - sOff.p99,
    '<=',
    SCORER_GOALS.p99Us,
    'µs',
  );
  // Adversarial: 1 MB of one word, of backticks, of newlines, of a repeated marker.
  const megabyte = 1 << 20;
  const adversarial = [
    'a'.repeat(megabyte),
    '`'.repeat(megabyte),
    '\n'.repeat(megabyte),
    'prove '.repeat(megabyte / 6),
  ];
  const worst = Math.max(
    ...adversarial.map((text) => {
      const input = promptInput(text, megabyte / 4);
      scoreDifficulty(model, input);
      const started = process.hrtime.bigint();
      scoreDifficulty(model, input);
      return Number(process.hrtime.bigint() - started) / 1000;
    }),
  );
  report.line(
    `  the scorer on a 1 MB adversarial prompt (one word, backticks, newlines, a marker), worst of 4: ${us(worst)}`,
  );
  report.figure('scorer on a 1 MB adversarial prompt, worst of 4', worst, 'µs');
  // switchyard eval's own speed, in process, on GSM8K's 1,319 prompts.
  const gsm8k = parseDataset(readFileSync(join(ROOT, DATASETS[1]!), 'utf8'), 'on').items;
  const started = performance.now();
  await evaluate(on, prepare(on, gsm8k, undefined), decideWith());
  const perS = gsm8k.length / ((performance.now() - started) / 1000);
  report.check(
    'switchyard eval speed (GSM8K test, in process)',
    Math.round(perS),
    '>=',
    SCORER_GOALS.evalPerS,
    'prompts/s',
  );
}

async function throughProxy(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  const fake = await startFake({ name: 'fake-scorer' });
  const manifests = writeManifests(
    [{ name: 'zero', baseURL: fake.url }],
    [
      { alias: 'plain', providers: ['zero'] },
      { alias: 'scored', providers: ['zero'], classification: { scorer: {} } },
    ],
  );
  const switchyard = await startSwitchyard({ manifests, quiet: true });
  const plain = new Client(endpoint('scorer off', switchyard.origin, 'plain'));
  const scored = new Client(endpoint('scorer on', switchyard.origin, 'scored'));
  try {
    await warmUp([plain, scored], 200);
    const rounds = ctx.size(500, 2000);
    const [p, s] = (await interleaved([plain, scored], rounds, ctx.size(30_000, 90_000))).map(
      durations,
    ) as [number[], number[]];
    const [sp, ss] = [summarize(p), summarize(s)];
    report.line(`  single requests through a proxy, interleaved (${sp.n} each), zero-delay fake`);
    report.table([
      ['', 'p50', 'p99'],
      ['scorer off', formatMs(sp.p50), formatMs(sp.p99)],
      ['scorer on', formatMs(ss.p50), formatMs(ss.p99)],
    ]);
    report.line(`  added at p50 through the proxy: ${us((ss.p50 - sp.p50) * 1000)}`);
    report.figure('added at p50 through the proxy', (ss.p50 - sp.p50) * 1000, 'µs');
    const tool = pickLoadTool(ctx.options.nodeLoad);
    const rps: Record<'plain' | 'scored', number[]> = { plain: [], scored: [] };
    for (let run = 0; run < ctx.size(2, 3); run++) {
      for (const alias of run % 2 === 0
        ? (['plain', 'scored'] as const)
        : (['scored', 'plain'] as const)) {
        const result = await runLoad(tool, {
          url: `${switchyard.origin}/v1/chat/completions`,
          body: JSON.stringify({
            model: alias,
            messages: [
              { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
            ],
          }),
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
          connections: 32,
          durationS: ctx.size(3, 8),
        });
        rps[alias].push(result.rps);
      }
    }
    const [mp, ms] = [median(rps.plain), median(rps.scored)];
    report.line(
      `  throughput, ${tool}, 32 connections, alternating runs: off ${formatNumber(mp)} req/s, on ${formatNumber(ms)} req/s (median of ${rps.plain.length})`,
    );
    report.check(
      'throughput with the scorer on / off',
      ms / mp,
      '>=',
      SCORER_GOALS.throughputRatio,
      '×',
    );
  } finally {
    await closeAll([plain, scored]);
  }
}

function us(x: number): string {
  return `${x.toFixed(1)} µs`;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
