// Trains the built-in difficulty scorer: a logistic regression over the scorer's own features
// (core/difficulty/features.ts — the very code the proxy runs, so training and serving cannot
// drift apart) on datasets in switchyard eval's format.
//
//   node tools/difficulty/train.ts [--train F.jsonl] [--dev F.jsonl] [--test F.jsonl] [--out FILE]
//
// Defaults: the AlpacaEval splits that build-datasets.ts writes to data/difficulty/local/, and
// core/difficulty/difficulty-model-v1.json. Hyper-parameters are picked on dev (APGR); the
// final model is refit on train + dev and measured once on test. Deterministic: no randomness,
// so the same data gives the same file. Labels: the top tier's name (default premium) is 1,
// anything else 0.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  extractFeatures,
  DENSE_FEATURES,
  type FeatureVector,
} from '../../core/difficulty/features.ts';
import { MARKER_CLASSES, MONOTONE, PRIOR_WEIGHTS } from '../../core/difficulty/markers.ts';
import { averagePgr, curveFromScores } from '../../core/eval/curve.ts';
import { parseDataset, type DatasetItem } from '../../core/eval/dataset.ts';
import { routingInputFor } from '../../core/routing/request-input.ts';

function splitFiles(split: string): string {
  return `data/difficulty/local/alpaca-eval-${split}.jsonl,data/difficulty/mmlu-pro-${split}.jsonl`;
}

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: splitFiles('train') },
    dev: { type: 'string', default: splitFiles('dev') },
    test: { type: 'string', default: splitFiles('test') },
    out: { type: 'string', default: 'core/difficulty/difficulty-model-v1.json' },
    top: { type: 'string', default: 'premium' },
    cheap: { type: 'string', default: 'budget' },
    'top-share': { type: 'string', default: '0.4' },
    target: { type: 'string', default: 'gain' },
  },
});

interface Example {
  x: FeatureVector;
  /** Which dataset file it came from: each gets its own intercept while training. */
  group: number;
  y: number;
  needsTop: boolean;
  cheapGrade: number;
  topGrade: number;
}

interface Config {
  buckets: number;
  denseL2: number;
  bucketL2: number;
  /** How much of the marker priors (PRIOR_WEIGHTS) to start from and pull toward. */
  priorScale: number;
}

const GRID: Config[] = [];
for (const bucketL2 of [0.003, 0.03, 0.3, 3])
  for (const denseL2 of [0.001, 0.01])
    for (const priorScale of [0, 1, 2]) GRID.push({ buckets: 4096, denseL2, bucketL2, priorScale });

/** Reads a comma-separated list of dataset files; each item keeps its file's position. */
function load(files: string): (DatasetItem & { group: number })[] {
  return files.split(',').flatMap((file, group) => {
    const { items, problems } = parseDataset(readFileSync(file, 'utf8'), 'train');
    if (problems.length > 0)
      throw new Error(`${file}:${problems[0]?.line}: ${problems[0]?.message}`);
    return items.map((item) => ({ ...item, group }));
  });
}

function examples(items: (DatasetItem & { group: number })[], buckets: number): Example[] {
  return items.map((item) => {
    const input = routingInputFor(item.request, item.headers);
    const cheapGrade = item.grades?.[values.cheap] ?? (item.label === values.top ? 0 : 1);
    const topGrade = item.grades?.[values.top] ?? 1;
    return {
      x: extractFeatures(input, buckets),
      group: item.group,
      needsTop: item.label === values.top,
      y: target(item.label === values.top, cheapGrade, topGrade),
      cheapGrade,
      topGrade,
    };
  });
}

/**
 * The training target. With `--target gain` it is 0.5 + (top grade − cheap grade), clamped to
 * 0…1: how much the top tier adds, so prompts where both tiers do as well sit at 0.5 and weigh
 * nothing either way (the default, better on dev: APGR 0.62 against 0.58); with `--target label`
 * it is the label, 1 for the top tier.
 */
function target(needsTop: boolean, cheapGrade: number, topGrade: number): number {
  if (values.target === 'label') return needsTop ? 1 : 0;
  return Math.min(1, Math.max(0, 0.5 + topGrade - cheapGrade));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function dot(w: Float64Array, x: FeatureVector, bias: number): number {
  let z = bias;
  for (let i = 0; i < x.indices.length; i++)
    z += (w[x.indices[i] as number] as number) * (x.values[i] as number);
  return z;
}

const markerOffset = DENSE_FEATURES.indexOf(`marker:${MARKER_CLASSES[0]}`);

/**
 * Full-batch Adam on mean log-loss + L2 toward the priors (0 but for markers), with the
 * monotone marker weights held to their sign. Each dataset file gets an intercept of its own:
 * the sources differ in how often premium is needed and in their form (multiple choice is long
 * and rarely needs premium), and without it the weights would learn "long means easy" from
 * that confound instead of what makes a prompt hard within a source. The exported bias is the
 * prompt-weighted mean of the intercepts.
 */
function fit(data: Example[], config: Config): { w: Float64Array; bias: number } {
  const groups = Math.max(...data.map((e) => e.group)) + 1;
  const offsets = new Float64Array(groups);
  const offsetM = new Float64Array(groups);
  const offsetV = new Float64Array(groups);
  const offsetG = new Float64Array(groups);
  const size = DENSE_FEATURES.length + config.buckets;
  const w = new Float64Array(size);
  const m = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const g = new Float64Array(size + 1);
  const prior = new Float64Array(size);
  MARKER_CLASSES.forEach(
    (c, k) => (prior[markerOffset + k] = PRIOR_WEIGHTS[c] * config.priorScale),
  );
  w.set(prior);
  let bias = 0;
  const [rate, beta1, beta2, eps] = [0.05, 0.9, 0.999, 1e-8];
  for (let step = 1; step <= 600; step++) {
    g.fill(0);
    offsetG.fill(0);
    for (const e of data) {
      const err = sigmoid(dot(w, e.x, bias + offsets[e.group]!)) - e.y;
      offsetG[e.group]! += err / data.length;
      for (let i = 0; i < e.x.indices.length; i++)
        g[e.x.indices[i] as number]! += (err * (e.x.values[i] as number)) / data.length;
      g[size]! += err / data.length;
    }
    for (let i = 0; i < size; i++)
      g[i]! += (i < DENSE_FEATURES.length ? config.denseL2 : config.bucketL2) * (w[i]! - prior[i]!);
    for (let i = 0; i <= size; i++) {
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
      const delta =
        (rate * (m[i]! / (1 - beta1 ** step))) / (Math.sqrt(v[i]! / (1 - beta2 ** step)) + eps);
      if (i === size) bias -= delta;
      else w[i]! -= delta;
    }
    for (let k = 0; k < groups; k++) {
      offsetM[k] = beta1 * offsetM[k]! + (1 - beta1) * offsetG[k]!;
      offsetV[k] = beta2 * offsetV[k]! + (1 - beta2) * offsetG[k]! * offsetG[k]!;
      offsets[k]! -=
        (rate * (offsetM[k]! / (1 - beta1 ** step))) /
        (Math.sqrt(offsetV[k]! / (1 - beta2 ** step)) + eps);
    }
    MARKER_CLASSES.forEach((c, k) => {
      const sign = MONOTONE[c];
      const i = markerOffset + k;
      if (sign !== undefined && sign * w[i]! < 0) w[i] = 0;
    });
  }
  let mean = 0;
  for (const e of data) mean += offsets[e.group]! / data.length;
  return { w, bias: bias + mean };
}

function apgrOf(data: Example[], scores: number[]): number {
  const cheap = data.map((e) => e.cheapGrade);
  const top = data.map((e) => e.topGrade);
  const qCheap = cheap.reduce((a, b) => a + b, 0) / data.length;
  const qTop = top.reduce((a, b) => a + b, 0) / data.length;
  return averagePgr(curveFromScores(scores, cheap, top), qCheap, qTop);
}

/** Area under the ROC curve of the labels (ties count half). */
function auc(data: Example[], scores: number[]): number {
  let pairs = 0;
  let wins = 0;
  data.forEach((a, i) => {
    if (!a.needsTop) return;
    data.forEach((b, j) => {
      if (b.needsTop) return;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return pairs === 0 ? 0 : wins / pairs;
}

function percentile(sorted: number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function atThreshold(data: Example[], scores: number[], threshold: number) {
  const routedTop = scores.map((s) => s >= threshold);
  const needTop = data.filter((e) => e.needsTop).length;
  const caught = data.filter((e, i) => e.needsTop && routedTop[i]).length;
  const top = routedTop.filter(Boolean).length;
  return {
    topShare: round(top / data.length),
    recall: round(needTop === 0 ? 0 : caught / needTop),
    precision: round(top === 0 ? 0 : caught / top),
  };
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

const trainItems = load(values.train);
const devItems = load(values.dev);
const testItems = load(values.test);

/** Mean over the dataset files of the APGR on each file's part of `data`. */
function perSourceApgr(data: Example[], scores: number[]): number {
  const groups = [...new Set(data.map((e) => e.group))];
  const values = groups.map((g) => {
    const at = data.flatMap((e, i) => (e.group === g ? [i] : []));
    return apgrOf(
      at.map((i) => data[i]!),
      at.map((i) => scores[i]!),
    );
  });
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const scoresOf = (model: { w: Float64Array; bias: number }, data: Example[]) =>
  data.map((e) => sigmoid(dot(model.w, e.x, model.bias)));

/**
 * How a configuration is judged, on dev only: the mean of (a) its APGR on each source's dev
 * split when trained on every train split and (b) its APGR on each source's dev split when
 * trained on the other sources alone. (b) rewards what transfers to traffic unlike the training
 * data, which is what a router meets; (a) alone picks n-gram weights that know the sources.
 */
function judge(config: Config): { apgr: number; inSource: number; crossSource: number } {
  const train = examples(trainItems, config.buckets);
  const dev = examples(devItems, config.buckets);
  const inSource = perSourceApgr(dev, scoresOf(fit(train, config), dev));
  const groups = [...new Set(dev.map((e) => e.group))];
  const cross = groups.map((g) => {
    const others = train.filter((e) => e.group !== g);
    const held = dev.filter((e) => e.group === g);
    return apgrOf(held, scoresOf(fit(others, config), held));
  });
  const crossSource = cross.reduce((a, b) => a + b, 0) / cross.length;
  return { apgr: (inSource + crossSource) / 2, inSource, crossSource };
}

let best: { config: Config; apgr: number; inSource: number; crossSource: number } | undefined;
for (const config of GRID) {
  const result = { config, ...judge(config) };
  console.log(
    `${JSON.stringify(config)}: dev APGR ${result.apgr.toFixed(3)} (in-source ${result.inSource.toFixed(3)}, cross-source ${result.crossSource.toFixed(3)})`,
  );
  if (best === undefined || result.apgr > best.apgr) best = result;
}
if (best === undefined) throw new Error('empty grid');

const config = best.config;
const all = examples([...trainItems, ...devItems], config.buckets);
const final = fit(all, config);
const fitScores = all.map((e) => sigmoid(dot(final.w, e.x, final.bias))).sort((a, b) => a - b);
const percentiles = Array.from({ length: 101 }, (_, i) => round(percentile(fitScores, i / 100), 6));
const topShare = Number(values['top-share']);
const defaultThreshold = round(percentile(fitScores, 1 - topShare), 6);

const test = examples(testItems, config.buckets);
const testScores = test.map((e) => sigmoid(dot(final.w, e.x, final.bias)));
const testFigures = {
  prompts: test.length,
  needTop: round(test.filter((e) => e.needsTop).length / test.length),
  apgr: round(apgrOf(test, testScores)),
  apgrPerSource: round(perSourceApgr(test, testScores)),
  auc: round(auc(test, testScores)),
  atDefaultThreshold: atThreshold(test, testScores, defaultThreshold),
};
console.log(`chosen ${JSON.stringify(config)}; test ${JSON.stringify(testFigures)}`);

const bucketWeights: [number, number][] = [];
for (let b = 0; b < config.buckets; b++) {
  const weight = final.w[DENSE_FEATURES.length + b]!;
  if (Math.abs(weight) >= 1e-4) bucketWeights.push([b, round(weight, 5)]);
}
const file = {
  name: 'difficulty-v1',
  denseFeatures: [...DENSE_FEATURES],
  denseWeights: [...final.w.subarray(0, DENSE_FEATURES.length)].map((x) => round(x, 5)),
  buckets: config.buckets,
  bucketWeights,
  bias: round(final.bias, 5),
  defaultThreshold,
  percentiles,
  training: {
    script: 'tools/difficulty/train.ts',
    data: [...values.train.split(','), ...values.dev.split(',')],
    sources: 'data/difficulty/SOURCES.md',
    topTier: values.top,
    target: values.target,
    positives: round(all.filter((e) => e.needsTop).length / all.length),
    prompts: all.length,
    config,
    defaultThresholdTopShare: topShare,
    dev: {
      apgr: round(best.apgr),
      inSource: round(best.inSource),
      crossSource: round(best.crossSource),
    },
    test: testFigures,
  },
};
writeFileSync(values.out, JSON.stringify(file) + '\n');
console.log(`${values.out}: ${bucketWeights.length} n-gram weights, threshold ${defaultThreshold}`);
