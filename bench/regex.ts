// `node bench/regex.ts`: what the linear-time engine (re2js, core/regex/) costs on the routing
// hot path, against V8's backtracking engine on the same patterns and text, measured in the same
// run, interleaved. Only policies with patterns pay it (docs/adr/0010-linear-time-regular-expressions.md).
import { forwardedStrings } from '../core/openai/forwarded-strings.ts';
import { compileLinear, LinearPatternSet } from '../core/regex/linear-regex.ts';
import { alignedTable, formatRatio } from './lib/report.ts';
import { summarize } from './lib/stats.ts';

// The example policy's sensitivity patterns (examples/route-policies.yaml).
const PATTERNS = [
  '\\b\\d{3}-\\d{2}-\\d{4}\\b',
  '\\b(?:\\d[ -]?){12,15}\\d\\b',
  '\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){3,7}\\b',
];

/** A chat request of about `chars` characters of prose with some numbers, and two tools. */
function request(chars: number): Record<string, unknown> {
  const sentence = 'Order 12345 shipped on 2024-05-06 to room 42; summarise the quarterly report. ';
  return {
    model: 'auto',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      {
        role: 'user',
        content: sentence.repeat(Math.ceil(chars / sentence.length)).slice(0, chars),
      },
    ],
    tools: [
      { type: 'function', function: { name: 'lookup', description: 'Looks an order up by id.' } },
    ],
    metadata: { team: 'finance' },
  };
}

function timeUs(run: () => unknown, iterations: number): number {
  const started = performance.now();
  for (let i = 0; i < iterations; i++) run();
  return ((performance.now() - started) * 1000) / iterations;
}

const set = new LinearPatternSet(PATTERNS);
const linear = PATTERNS.map((p) => compileLinear(p));
const native = PATTERNS.map((p) => new RegExp(p));
const rows: string[][] = [
  ['request', 'walk+NFKC µs', 're2js set µs', 're2js each µs', 'V8 each µs', 're2js set ÷ V8'],
];
for (const chars of [2_000, 32_000, 256_000]) {
  const body = request(chars);
  const text = forwardedStrings(body) ?? '';
  const iterations = Math.max(20, Math.floor(4_000_000 / chars));
  const samples = {
    walk: [] as number[],
    set: [] as number[],
    each: [] as number[],
    v8: [] as number[],
  };
  for (let round = 0; round < 7; round++) {
    samples.walk.push(timeUs(() => forwardedStrings(body), iterations));
    samples.set.push(timeUs(() => set.test(text), iterations));
    samples.each.push(timeUs(() => linear.some((r) => r.test(text)), iterations));
    samples.v8.push(timeUs(() => native.some((r) => r.test(text)), iterations));
  }
  const median = (xs: number[]) => summarize(xs).p50;
  rows.push([
    `${(chars / 1000).toFixed(0)} K chars`,
    median(samples.walk).toFixed(1),
    median(samples.set).toFixed(1),
    median(samples.each).toFixed(1),
    median(samples.v8).toFixed(1),
    formatRatio(median(samples.set) / median(samples.v8)),
  ]);
}
console.log('Sensitivity scan of one request: 3 patterns, none matching (the common case).');
for (const line of alignedTable(rows)) console.log(line);
