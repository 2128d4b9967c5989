// The quality loop's two commands against a real Redis filled by a real proxy:
// `switchyard experiment report` prints what the proxy counted, and `switchyard quality export`
// writes judged samples as a `switchyard eval` dataset (request text only when the policy opts in).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compile } from '../../core/compile/compile.ts';
import { loadManifests } from '../../cli/load-manifests.ts';
import { startProxy, type RunningProxy } from '../../proxy/proxy.ts';
import { RedisState } from '../../proxy/state/redis-state.ts';
import { startFakeProvider, type FakeProvider } from '../fakes/index.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { switchyardAsync } from '../cli/run-switchyard.ts';
import { chat } from './quality-fleet.ts';

let redis: RedisServer;
let fake: FakeProvider;
let proxy: RunningProxy;
let dir: string;

const manifests = (url: string) => `
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: local, namespace: ai }
spec:
  api: openai
  baseURL: ${url}
  models:
    - { name: small, contextWindow: 8000, pricing: { inputPerMillion: 1, outputPerMillion: 2 } }
    - { name: large, contextWindow: 8000, pricing: { inputPerMillion: 5, outputPerMillion: 20 } }
---
apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: auto, namespace: ai }
spec:
  model: auto
  tiers:
    - { name: budget, targets: [{ provider: local, model: small }] }
    - { name: premium, targets: [{ provider: local, model: large }] }
  quality:
    judge: { provider: local, model: large }
    samplePercent: 100
    export: { includeRequestText: true }
  experiment: { variant: auto-large, percent: 50, stickyBy: request }
---
apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: auto-large, namespace: ai }
spec:
  model: auto-large
  tiers: [{ name: premium, targets: [{ provider: local, model: large }] }]
`;

before(async () => {
  redis = await startRedis();
  fake = await startFakeProvider({ api: 'openai', name: 'local' });
  dir = mkdtempSync(join(tmpdir(), 'quality-cli-'));
  writeFileSync(join(dir, 'manifests.yaml'), manifests(fake.url));
  proxy = await startProxy({
    port: 0,
    metricsPort: null,
    host: '127.0.0.1',
    log: () => {},
    state: await RedisState.connect(redis.url),
    liveFlushMs: 100,
  });
  const loaded = proxy.ctx.config.swap(compile((await loadManifests([dir])).snapshot).config);
  assert.ok(loaded.ok);
});

after(async () => {
  await proxy.close();
  await fake.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('experiment report prints the counts and costs the proxy counted, per arm', async () => {
  const truth = { control: { n: 0, cost: 0 }, variant: { n: 0, cost: 0 } };
  for (let i = 0; i < 40; i++) {
    const answer = await chat(proxy, {
      model: 'auto',
      messages: [{ role: 'user', content: `q${i}` }],
    });
    const arm = answer.headers.get('x-switchyard-arm') as 'control' | 'variant';
    truth[arm].n++;
    truth[arm].cost += Number(answer.headers.get('x-switchyard-cost-usd'));
  }
  await proxy.fleet.observer.idle();
  await proxy.fleet.live.flush();
  const run = await switchyardAsync(
    'experiment',
    'report',
    '--manifests',
    dir,
    '--redis',
    redis.url,
    '--json',
  );
  assert.equal(run.status, 0, run.output);
  const report = JSON.parse(run.stdout) as {
    name: string;
    arms: {
      arm: string;
      requests: number;
      costPerRequestUSD?: number;
      quality?: { samples: number };
    }[];
  };
  assert.equal(report.name, 'auto-large');
  for (const arm of report.arms) {
    const counted = truth[arm.arm as 'control' | 'variant'];
    assert.equal(arm.requests, counted.n, arm.arm);
    assert.ok(Math.abs((arm.costPerRequestUSD ?? 0) - counted.cost / counted.n) < 1e-7, arm.arm);
  }
  const text = await switchyardAsync(
    'experiment',
    'report',
    '--manifests',
    dir,
    '--redis',
    redis.url,
  );
  assert.match(text.stdout, /^experiment auto-large on auto: 50 % to the variant/m);
  assert.match(text.stdout, /^control\s+ai\/auto\s+\d+/m);
});

test('quality export writes judged samples as eval dataset lines with the request text the policy kept', async () => {
  await proxy.fleet.observer.idle();
  const output = join(dir, 'samples.jsonl');
  const run = await switchyardAsync(
    'quality',
    'export',
    '--redis',
    redis.url,
    '--policy',
    'ai/auto',
    '--output',
    output,
  );
  assert.equal(run.status, 0, run.output);
  const lines = readFileSync(output, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.length > 0, run.stderr);
  for (const line of lines) {
    assert.deepEqual(Object.keys(line).sort(), ['grades', 'id', 'label', 'messages']);
    assert.match(String(line['id']), /^req_/);
    assert.ok(['budget', 'premium'].includes(String(line['label'])));
    const grades = line['grades'] as Record<string, number>;
    assert.equal(Object.keys(grades).length, 1);
    assert.ok(Object.values(grades).every((g) => g >= 1 && g <= 10));
    assert.match(JSON.stringify(line['messages']), /"role":"user","content":"q\d+"/);
  }
  const missing = await switchyardAsync('quality', 'export', '--redis', redis.url);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--policy NAMESPACE\/NAME is required/);
});
