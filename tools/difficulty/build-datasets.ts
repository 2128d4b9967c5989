// Builds the difficulty datasets (switchyard eval's JSONL format, docs/routing.md) from public
// repositories with per-model grades, read straight from their git directories:
//
//   node tools/difficulty/build-datasets.ts --alpaca-eval /path/to/tatsu-lab/alpaca_eval.git \
//     --mmlu-pro /path/to/TIGER-AI-Lab/MMLU-Pro.git --routellm /path/to/lm-sys/RouteLLM.git
//
// Writes
// - data/difficulty/local/alpaca-eval-{train,dev,test}.jsonl — the training data. AlpacaEval's
//   data is CC BY-NC 4.0, so these files are git-ignored and never shipped; only the model
//   trained on them is (data/difficulty/SOURCES.md says why that is allowed).
// - data/difficulty/mmlu-pro-{train,dev,test}.jsonl — training data too: MMLU-Pro questions
//   (Apache-2.0) not taken from MMLU, graded by each model's recorded answer (needs `unzip`).
// - data/difficulty/heldout/{mt-bench,gsm8k-test,mmlu}.jsonl — RouteLLM's evaluation data
//   (Apache-2.0; questions from MT-Bench, Apache-2.0, GSM8K and MMLU, MIT). Held out: evaluated
//   only, never trained or tuned on.
//
// The commits read are pinned (PINNED below) so every build gives the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';

const PINNED = {
  alpacaEval: 'cd543a149df89434d8a54582c0151c0b945c3d20',
  routellm: '0b64fdafe049e596a3f5657c219329f24af24198',
  mmluPro: 'f418b116db00b065c2aea046518d8fcf74d39872',
};

/**
 * The budget-class models whose AlpacaEval 2.0 annotations (judge: GPT-4 Turbo, baseline:
 * gpt4_1106_preview) label a prompt: models of the price and strength of a budget tier.
 */
const BUDGET_CLASS = [
  'gpt-3.5-turbo-0301/weighted_alpaca_eval_gpt4_turbo',
  'gpt-3.5-turbo-1106/weighted_alpaca_eval_gpt4_turbo',
  'claude-instant-1.2/weighted_alpaca_eval_gpt4_turbo',
  'claude-2.1/weighted_alpaca_eval_gpt4_turbo',
  'OpenHermes-2.5-Mistral-7B/weighted_alpaca_eval_gpt4_turbo',
  'Qwen-14B-Chat/weighted_alpaca_eval_gpt4_turbo',
  'Mixtral-8x7B-Instruct-v0.1/alpaca_eval_gpt4_turbo_fn',
  'gemini-pro/alpaca_eval_gpt4_turbo_fn',
  'Mistral-7B-Instruct-v0.2/alpaca_eval_gpt4_turbo_fn',
  'cohere/alpaca_eval_gpt4_turbo_fn',
];

/**
 * A prompt needs premium when the budget-class models' mean chance of being preferred to
 * GPT-4 Turbo is below this: in practice, when none of the ten beat it.
 */
const ALPACA_PREMIUM_BELOW = 0.05;

interface Row {
  id: string;
  prompt: string;
  label: 'budget' | 'premium';
  grades: { budget: number; premium: number };
  source: string;
}

const { values } = parseArgs({
  options: {
    'alpaca-eval': { type: 'string' },
    'mmlu-pro': { type: 'string' },
    routellm: { type: 'string' },
    out: { type: 'string', default: 'data/difficulty' },
  },
});

function gitShow(gitDir: string, commit: string, path: string): string {
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

function gitShowBytes(gitDir: string, commit: string, path: string): Buffer {
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], {
    maxBuffer: 256 * 1024 * 1024,
  });
}

function gitList(gitDir: string, commit: string, path: string): string[] {
  return execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '--name-only', commit, path], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((l) => l !== '');
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Train/dev/test by the prompt's hash: 60/20/20, stable across builds and machines. */
function splitOf(text: string): 'train' | 'dev' | 'test' {
  const bucket = parseInt(hashOf(text).slice(0, 8), 16) % 10;
  return bucket < 6 ? 'train' : bucket < 8 ? 'dev' : 'test';
}

function writeJsonl(path: string, rows: readonly Row[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`${path}: ${rows.length} prompts, ${share(rows)} need premium`);
}

function share(rows: readonly Row[]): string {
  const premium = rows.filter((r) => r.label === 'premium').length;
  return `${((100 * premium) / Math.max(1, rows.length)).toFixed(1)} %`;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function buildAlpacaEval(gitDir: string, out: string): void {
  const wins = new Map<string, { dataset: string; values: number[] }>();
  for (const run of BUDGET_CLASS) {
    const annotations = JSON.parse(
      gitShow(gitDir, PINNED.alpacaEval, `results/${run}/annotations.json`),
    ) as { instruction: string; dataset: string; preference: unknown; generator_1: string }[];
    for (const a of annotations) {
      if (a.generator_1 !== 'gpt4_1106_preview') throw new Error(`${run}: unexpected baseline`);
      const preference = Number(a.preference);
      if (!Number.isFinite(preference)) continue;
      const entry = wins.get(a.instruction) ?? { dataset: a.dataset, values: [] };
      // preference is 1 (baseline preferred) … 2 (the budget model preferred).
      entry.values.push(Math.min(1, Math.max(0, preference - 1)));
      wins.set(a.instruction, entry);
    }
  }
  const splits: Record<'train' | 'dev' | 'test', Row[]> = { train: [], dev: [], test: [] };
  for (const [instruction, { dataset, values: v }] of [...wins].sort((a, b) =>
    hashOf(a[0]).localeCompare(hashOf(b[0])),
  )) {
    const budget = v.reduce((s, x) => s + x, 0) / v.length;
    splits[splitOf(instruction)].push({
      id: `alpaca-eval-${hashOf(instruction).slice(0, 12)}`,
      prompt: instruction,
      label: budget < ALPACA_PREMIUM_BELOW ? 'premium' : 'budget',
      // The premium grade is the baseline against itself: a tie.
      grades: { budget: round(budget), premium: 0.5 },
      source: `alpaca_eval/${dataset}`,
    });
  }
  mkdirSync(`${out}/local`, { recursive: true });
  for (const split of ['train', 'dev', 'test'] as const)
    writeJsonl(`${out}/local/alpaca-eval-${split}.jsonl`, splits[split]);
}

/**
 * MMLU-Pro pairs of a budget and a premium model of one family, whose recorded 5-shot answers
 * grade each question: the budget grade is the mean of the budget models' 0/1, likewise premium.
 */
const MMLU_PRO_PAIRS = [
  ['gemini-1.5-flash-002', 'gemini-1.5-pro-002'],
  ['Meta-Llama-3_1-8B-Instruct', 'Meta-Llama-3_1-70B-Instruct'],
] as const;
/** How many MMLU-Pro questions to keep (by hash), so multiple choice does not swamp the chat data. */
const MMLU_PRO_KEEP = 1500;

interface MmluProAnswer {
  question_id: string;
  question: string;
  options: unknown;
  answer: string;
  pred: string | null;
  category: string;
  src: string;
}

function mmluProAnswers(gitDir: string, model: string): Map<string, MmluProAnswer> {
  const zip = gitShowBytes(
    gitDir,
    PINNED.mmluPro,
    `eval_results/model_outputs_${model}_5shots.zip`,
  );
  const dir = mkdtempSync(`${tmpdir()}/mmlu-pro-`);
  try {
    writeFileSync(`${dir}/a.zip`, zip);
    const json = execFileSync('unzip', ['-p', `${dir}/a.zip`], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    const rows = JSON.parse(json) as MmluProAnswer[];
    return new Map(rows.map((r) => [String(r.question_id), r]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A question in MMLU's own layout: the question, lettered options, "Answer:". */
function mcqPrompt(question: string, options: string[]): string {
  const lines = options.map((o, i) => `${String.fromCharCode(65 + i)}. ${o}`);
  return `${question}\n${lines.join('\n')}\nAnswer:`;
}

function buildMmluPro(gitDir: string, out: string): void {
  const pairs = MMLU_PRO_PAIRS.map(([budget, premium]) => ({
    budget: mmluProAnswers(gitDir, budget),
    premium: mmluProAnswers(gitDir, premium),
  }));
  const first = pairs[0];
  if (first === undefined) return;
  const rows: Row[] = [];
  for (const [id, q] of first.budget) {
    // Questions MMLU-Pro took from MMLU stay out: MMLU is held out.
    if (q.src.startsWith('ori_mmlu')) continue;
    const graded = pairs.map((p) => [p.budget.get(id), p.premium.get(id)]);
    if (graded.some(([b, p]) => b === undefined || p === undefined)) continue;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const budget = mean(graded.map(([b]) => (b?.pred === b?.answer ? 1 : 0)));
    const premium = mean(graded.map(([, p]) => (p?.pred === p?.answer ? 1 : 0)));
    if (!Array.isArray(q.options)) continue;
    const prompt = mcqPrompt(q.question, q.options.map(String));
    rows.push({
      id: `mmlu-pro-${id}`,
      prompt,
      label: premium > budget ? 'premium' : 'budget',
      grades: { budget, premium },
      source: `mmlu-pro/${q.category}`,
    });
  }
  rows.sort((a, b) => hashOf(a.prompt).localeCompare(hashOf(b.prompt)));
  const kept = rows.slice(0, MMLU_PRO_KEEP);
  for (const split of ['train', 'dev', 'test'] as const)
    writeJsonl(
      `${out}/mmlu-pro-${split}.jsonl`,
      kept.filter((r) => splitOf(r.prompt) === split),
    );
}

/** Parses RFC 4180 CSV (quoted fields with commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const WEAK = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
const STRONG = 'gpt-4-1106-preview';

/** Correct/incorrect grades of Mixtral (budget) and GPT-4 (premium) from a RouteLLM CSV. */
function correctnessRows(csv: string, source: string): Row[] {
  const [header, ...rows] = parseCsv(csv);
  if (header === undefined) return [];
  const col = (name: string) => header.indexOf(name);
  const [p, w, s] = [col('prompt'), col(WEAK), col(STRONG)];
  return rows
    .filter((r) => r.length >= header.length && r[p] !== '')
    .map((r) => {
      const budget = r[w] === 'True' ? 1 : 0;
      const premium = r[s] === 'True' ? 1 : 0;
      const prompt = r[p] as string;
      return {
        id: `${source}-${hashOf(prompt).slice(0, 12)}`,
        prompt,
        // Premium only when it helps: a prompt both get wrong is cheapest on budget.
        label: premium > budget ? 'premium' : 'budget',
        grades: { budget, premium },
        source,
      };
    });
}

function buildRouteLlm(gitDir: string, out: string): void {
  const dir = `${out}/heldout`;
  mkdirSync(dir, { recursive: true });
  const gsm8k = gitShow(gitDir, PINNED.routellm, 'routellm/evals/gsm8k/gsm8k_responses.csv');
  writeJsonl(`${dir}/gsm8k-test.jsonl`, correctnessRows(gsm8k, 'gsm8k-test'));

  // MMLU: every subject, then a fixed 2,000 by hash (the 14k would be 7 MB in the repository).
  const mmlu: Row[] = [];
  for (const path of gitList(gitDir, PINNED.routellm, 'routellm/evals/mmlu/responses/')) {
    mmlu.push(...correctnessRows(gitShow(gitDir, PINNED.routellm, path), 'mmlu'));
  }
  mmlu.sort((a, b) => hashOf(a.prompt).localeCompare(hashOf(b.prompt)));
  writeJsonl(`${dir}/mmlu.jsonl`, mmlu.slice(0, 2000));

  // MT-Bench: GPT-4's 1–10 judgement of each model, both turns averaged, per question.
  const questions = gitShow(gitDir, PINNED.routellm, 'routellm/evals/mt_bench/question.jsonl')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { question_id: number; category: string; turns: string[] });
  const judgements = gitShow(gitDir, PINNED.routellm, 'routellm/evals/mt_bench/judgements.jsonl')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { question_id: string; model: string; score: string });
  const scores = new Map<string, number[]>();
  for (const j of judgements) {
    const key = `${j.question_id}/${j.model}`;
    scores.set(key, [...(scores.get(key) ?? []), Number(j.score) / 10]);
  }
  const mean = (xs: number[] | undefined) =>
    xs === undefined || xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
  const mtBench: Row[] = [];
  for (const q of questions) {
    const budget = mean(scores.get(`${q.question_id}/${WEAK}`));
    const premium = mean(scores.get(`${q.question_id}/${STRONG}`));
    if (budget === undefined || premium === undefined || q.turns[0] === undefined) continue;
    mtBench.push({
      id: `mt-bench-${q.question_id}`,
      prompt: q.turns[0],
      label: premium > budget ? 'premium' : 'budget',
      grades: { budget: round(budget), premium: round(premium) },
      source: `mt-bench/${q.category}`,
    });
  }
  writeJsonl(`${dir}/mt-bench.jsonl`, mtBench);
}

if (values['alpaca-eval'] !== undefined) buildAlpacaEval(values['alpaca-eval'], values.out);
if (values['mmlu-pro'] !== undefined) buildMmluPro(values['mmlu-pro'], values.out);
if (values.routellm !== undefined) buildRouteLlm(values.routellm, values.out);
if (Object.values(values).filter((v) => v !== undefined).length === 1) {
  console.error('usage: build-datasets.ts [--alpaca-eval GITDIR] [--routellm GITDIR] [--out DIR]');
  process.exit(2);
}
