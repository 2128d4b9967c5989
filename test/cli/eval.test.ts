import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type EvalReport } from '../../cli/eval.ts';
import { startFakeProvider } from '../fakes/index.ts';

const FOUR = 'test/fixtures/eval/four-prompts.jsonl';

async function evaluate(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['--manifests', 'examples', ...args], {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
  });
  return { code, out, err };
}

test('eval routes a labelled fixture with the decision code and reports its known figures', async () => {
  const { code, out } = await evaluate(['--dataset', FOUR, '--json']);
  assert.equal(code, 0);
  const r = JSON.parse(out.join('\n')) as EvalReport;
  assert.equal(r.schemaVersion, 1);
  assert.equal(r.route, 'auto');
  const byTier = Object.fromEntries(r.summary.tiers.map((t) => [t.tier, t]));
  // rule → premium, proof → premium by the scorer, greeting → budget, code header → standard.
  assert.deepEqual(
    [byTier.budget?.routed, byTier.standard?.routed, byTier.premium?.routed],
    [1, 1, 2],
  );
  assert.equal(byTier.premium?.recall, 1);
  assert.equal(byTier.budget?.recall, 0.5);
  assert.deepEqual(r.summary.sources, { rule: 2, scorer: 2 });
  assert.equal(r.summary.adequacy, 1);
  assert.equal(r.summary.overProvisioned, 0.25);
  assert.ok(Math.abs((r.summary.quality?.routed ?? 0) - 0.975) < 1e-9);
  assert.ok(Math.abs((r.summary.quality?.alwaysCheapest ?? 0) - 0.55) < 1e-9);
  assert.equal(r.summary.quality?.performanceGapRecovered, 1);
  assert.ok(r.summary.cost.routedUSD < r.summary.cost.alwaysTopUSD);
  assert.ok(r.summary.cost.routedUSD > r.summary.cost.alwaysCheapestUSD);
  assert.ok(r.apgr !== null && r.apgr > 0.5, `APGR ${r.apgr}`);
  assert.equal(r.sweep, null);
  assert.equal(r.scorer?.from, 'default');
});

test('eval --sweep runs the decision at each threshold and --calibrate finds the share asked', async () => {
  const { code, out } = await evaluate([
    '--dataset',
    FOUR,
    '--json',
    '--sweep',
    '--calibrate',
    '--premium-share',
    '0.5',
  ]);
  assert.equal(code, 0);
  const r = JSON.parse(out.join('\n')) as EvalReport;
  const sweep = r.sweep ?? [];
  // From above every score (only the rule sends to premium: 1 of 4) to below every score.
  assert.equal(sweep[0]?.topShare, 0.25);
  assert.equal(sweep[sweep.length - 1]?.topShare, 0.75);
  for (let i = 1; i < sweep.length; i++)
    assert.ok((sweep[i]?.topShare ?? 0) >= (sweep[i - 1]?.topShare ?? 0), 'share grows');
  assert.equal(r.calibration?.topShare, 0.5);
  assert.ok((r.calibration?.threshold ?? 0) > 0);
});

test('eval prints the figures for people', async () => {
  const { code, out } = await evaluate(['--dataset', FOUR, '--sweep']);
  assert.equal(code, 0);
  const text = out.join('\n');
  for (const part of [/premium\s+2\s+50\.0 %/, /adequacy\s+100\.0 %/, /APGR\s+0\.\d{3}/, /sweep/])
    assert.match(text, part);
});

test('eval reports every bad dataset line with its number and evaluates nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-'));
  const file = join(dir, 'bad.jsonl');
  writeFileSync(
    file,
    ['{"prompt":"ok","label":"budget"}', '{"prompt":"x","label":"gold"}', '{oops'].join('\n'),
  );
  const { code, out, err } = await evaluate(['--dataset', file]);
  assert.equal(code, 1);
  assert.deepEqual(out, []);
  assert.match(
    err[0] ?? '',
    /bad\.jsonl:2: label "gold" is not a tier of auto \(budget, standard, premium\)/,
  );
  assert.match(err[1] ?? '', /bad\.jsonl:3: not valid JSON/);
  const missing = await evaluate(['--dataset', join(dir, 'none.jsonl')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err[0] ?? '', /cannot read the dataset/);
  await assert.rejects(
    evaluate(['--dataset', FOUR, '--premium-share', '0.3']),
    /goes with --calibrate/,
  );
});

test('eval --live asks the classifier model for real (a fake here) and measures what it decided', async () => {
  const fake = await startFakeProvider({ api: 'openai', name: 'judge' });
  const dir = mkdtempSync(join(tmpdir(), 'eval-live-'));
  try {
    writeFileSync(
      join(dir, 'manifests.yaml'),
      [
        'apiVersion: switchyard.dev/v1alpha1',
        'kind: ModelProvider',
        'metadata: { name: fake, namespace: default }',
        'spec:',
        '  api: openai',
        `  baseURL: ${fake.url}`,
        '  models:',
        '    - { name: small, contextWindow: 8000, pricing: { inputPerMillion: 0.1, outputPerMillion: 0.4 } }',
        '    - { name: large, contextWindow: 8000, pricing: { inputPerMillion: 3, outputPerMillion: 15 } }',
        '---',
        'apiVersion: switchyard.dev/v1alpha1',
        'kind: RoutePolicy',
        'metadata: { name: auto, namespace: default }',
        'spec:',
        '  model: auto',
        '  tiers:',
        '    - { name: budget, targets: [{ provider: fake, model: small }] }',
        '    - { name: premium, targets: [{ provider: fake, model: large }] }',
        '  classification:',
        '    classifier: { target: { provider: fake, model: small }, timeoutMs: 2000 }',
        '    scorer: {}',
      ].join('\n'),
    );
    // The classifier names premium for every prompt.
    fake.script(Array.from({ length: 4 }, () => ({ reply: 'premium' })));
    const out: string[] = [];
    const code = await run(['--manifests', dir, '--dataset', FOUR, '--live', '--sweep', '--json'], {
      stdout: (l) => out.push(l),
      stderr: () => {},
    });
    assert.equal(code, 0);
    const r = JSON.parse(out.join('\n')) as EvalReport;
    // One rule-less policy: the classifier decided all four, once each despite the sweep.
    assert.deepEqual(r.summary.sources, { classifier: 4 });
    assert.equal(r.summary.tiers[1]?.share, 1);
    assert.equal(fake.requests.length, 4);
    // Offline the classifier is not asked and the scorer decides.
    const offline: string[] = [];
    await run(['--manifests', dir, '--dataset', FOUR, '--json'], {
      stdout: (l) => offline.push(l),
      stderr: () => {},
    });
    assert.deepEqual((JSON.parse(offline.join('\n')) as EvalReport).summary.sources, { scorer: 4 });
  } finally {
    await fake.close();
  }
});
