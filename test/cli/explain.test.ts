import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../cli/explain.ts';

function explain(
  body: unknown,
  extra: string[] = [],
): Promise<{ code: number; out: string[]; err: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'explain-'));
  const file = join(dir, 'request.json');
  writeFileSync(file, JSON.stringify(body));
  const out: string[] = [];
  const err: string[] = [];
  return run(['--manifests', 'examples', '--request', file, ...extra], {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
  }).then((code) => ({ code, out, err }));
}

test('explain names the rule, the tier and the planned attempts for a request', async () => {
  const { code, out } = await explain(
    { model: 'auto', messages: [{ role: 'user', content: 'Walk me through it step-by-step' }] },
    ['--json'],
  );
  assert.equal(code, 0);
  const e = JSON.parse(out.join('\n'));
  assert.equal(e.classification.source, 'rule');
  assert.equal(e.classification.tier, 'premium');
  assert.ok(e.attempts.length > 0);
  assert.ok(e.attempts.every((a: { tier: string }) => a.tier === 'premium'));
});

test('explain shows why a sensitive request keeps only the targets inside the pool', async () => {
  const { code, out } = await explain(
    { model: 'private', messages: [{ role: 'user', content: 'my ssn is 123-45-6789' }] },
    ['--json'],
  );
  assert.equal(code, 0);
  const e = JSON.parse(out.join('\n'));
  assert.equal(e.sensitive, true);
  const excluded = e.candidates.filter((c: { verdict: string }) => c.verdict === 'excluded');
  assert.ok(excluded.every((c: { reason: string }) => c.reason.startsWith('governance')));
  assert.ok(e.attempts.length > 0);
});

test('explain prints a readable report and refuses an unknown alias with the list of aliases', async () => {
  const ok = await explain({ model: 'batch', messages: [{ role: 'user', content: 'summarise' }] }, [
    '--header',
    'x-switchyard-latency:batch',
  ]);
  assert.equal(ok.code, 0);
  assert.match(ok.out.join('\n'), /^route {6}batch/m);
  assert.match(ok.out.join('\n'), /^attempts/m);
  const bad = await explain({ model: 'nope', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(bad.code, 1);
  assert.match(bad.err.join('\n'), /aliases: .*auto/);
});
