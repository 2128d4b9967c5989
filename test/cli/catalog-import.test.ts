// `switchyard catalog import` as users run it: from a file and from a URL (a feed on loopback in
// LiteLLM's and OpenRouter's real shapes), its output checked by `switchyard validate` and
// applied to a real kube-apiserver, whose CRD schema and CEL rules must accept every object.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { startFeedServer, type FeedServer } from '../fakes/feed-server.ts';
import { crdPaths } from '../operator/operator-cluster.ts';
import { hasStackTrace, repoRoot, switchyardAsync, tempManifests } from './run-switchyard.ts';

const OPENROUTER = join(repoRoot, 'test/fixtures/price-feeds/openrouter-models.json');
const LITELLM = join(repoRoot, 'test/fixtures/price-feeds/litellm-model-prices.json');

/** The Secrets a user creates next to the imported providers. */
const secrets = (namespace: string, ...names: string[]) =>
  names
    .map(
      (name) => `apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: ${namespace} }
stringData: { apiKey: sk-test }`,
    )
    .join('\n---\n');

describe('switchyard catalog import', () => {
  let feed: FeedServer;
  let cp: ControlPlane;
  const imported: Record<string, string> = {};

  before(async () => {
    feed = await startFeedServer(readFileSync(LITELLM, 'utf8'));
    cp = await startControlPlane({ crds: crdPaths() });
    await cp.kubectlOk(['create', 'namespace', 'ai']);
  });

  after(async () => {
    await feed?.close();
    await cp?.stop();
  });

  test('imports OpenRouter models from a file, with a feedRef on each', async () => {
    const run = await switchyardAsync(
      ...['catalog', 'import', '--format', 'openrouter', OPENROUTER],
      ...['--provider', 'openrouter', '--namespace', 'ai', '--feed', 'openrouter'],
    );
    assert.equal(run.status, 0, run.output);
    assert.match(run.stderr, /^note: skipped openrouter\/auto: no valid input price$/m);
    assert.match(run.stderr, /PriceFeed openrouter is not printed because .* is a file/);
    const docs = loadAll(run.stdout) as { kind: string; spec: { models: { name: string }[] } }[];
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['ModelProvider'],
    );
    assert.deepEqual(
      docs[0]?.spec.models.map((m) => m.name),
      [
        'claude-sonnet-4.5',
        'deepseek-chat',
        'llama-3.3-70b-instruct:free',
        'gpt-4o',
        'gpt-4o-mini',
      ],
    );
    imported['openrouter.yaml'] = run.stdout;
  });

  test('imports LiteLLM models from a URL, and prints the PriceFeed that keeps them current', async () => {
    const url = `${feed.url}/model_prices_and_context_window.json`;
    const run = await switchyardAsync(
      ...['catalog', 'import', '--format', 'litellm', url, '--provider', 'openai'],
      ...[
        '--namespace',
        'ai',
        '--models',
        'gpt-4o*,o3-mini,text-embedding-3-small',
        '--feed',
        'litellm',
      ],
    );
    assert.equal(run.status, 0, run.output);
    const docs = loadAll(run.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      docs.map((d) => d['kind']),
      ['PriceFeed', 'ModelProvider'],
    );
    assert.deepEqual((docs[0] as { spec: unknown }).spec, { url, format: 'litellm' });
    const models = (docs[1] as { spec: { models: { name: string; capabilities: string[] }[] } })
      .spec.models;
    assert.deepEqual(
      models.map((m) => [m.name, m.capabilities.join(',')]),
      [
        ['gpt-4o', 'json,streaming,tools,vision'],
        ['gpt-4o-mini', 'json,streaming,tools,vision'],
        ['o3-mini', 'json,reasoning,streaming,tools'],
        ['text-embedding-3-small', 'embeddings'],
      ],
    );
    assert.equal(
      feed.requests.at(-1)?.headers['user-agent'],
      'switchyard-operator (price feed sync)',
    );
    imported['openai.yaml'] = run.stdout;
  });

  test('what it prints passes switchyard validate', async () => {
    const { dir, cleanup } = tempManifests({
      ...imported,
      'secrets.yaml': secrets('ai', 'openrouter', 'openai'),
    });
    try {
      const run = await switchyardAsync('validate', dir);
      assert.equal(run.status, 0, run.output);
      assert.match(run.stdout, /^ok: 5 objects in 3 files/m);
    } finally {
      cleanup();
    }
  });

  test('what it prints is accepted by the real API server', async () => {
    for (const [name, text] of Object.entries(imported)) {
      const result = await cp.kubectl(['apply', '--server-side', '-f', '-'], { input: text });
      assert.equal(result.code, 0, `${name}: ${result.stdout}${result.stderr}`);
    }
    const stored = await cp.kubectlOk(['get', 'mp,pf', '-n', 'ai', '-o', 'name']);
    assert.deepEqual(stored.trim().split('\n').sort(), [
      'modelprovider.switchyard.dev/openai',
      'modelprovider.switchyard.dev/openrouter',
      'pricefeed.switchyard.dev/litellm',
    ]);
  });

  test('bad input is one line and an exit code, never a stack trace', async () => {
    const cases: { args: string[]; status: number; message: RegExp }[] = [
      {
        args: ['--format', 'openrouter', OPENROUTER],
        status: 2,
        message: /--provider is required/,
      },
      {
        args: ['--format', 'models.dev', OPENROUTER, '--provider', 'p'],
        status: 2,
        message: /--format must be openrouter or litellm/,
      },
      {
        args: ['--format', 'openrouter', '/nonexistent.json', '--provider', 'p'],
        status: 1,
        message: /cannot read \/nonexistent\.json: no such file/,
      },
      {
        args: ['--format', 'openrouter', LITELLM, '--provider', 'p'],
        status: 1,
        message: /does not read as format openrouter: expected an OpenRouter/,
      },
      {
        args: ['--format', 'litellm', LITELLM, '--provider', 'p', '--models', 'nope/*'],
        status: 1,
        message: /"nope\/\*" matches no model/,
      },
    ];
    for (const c of cases) {
      const run = await switchyardAsync('catalog', 'import', ...c.args);
      assert.equal(run.status, c.status, run.output);
      assert.match(run.stderr, c.message);
      assert.equal(run.stdout, '');
      assert.ok(!hasStackTrace(run.output), run.output);
    }
    feed.setMode({ kind: 'status', status: 503 });
    const down = await switchyardAsync(
      'catalog',
      'import',
      '--format',
      'litellm',
      `${feed.url}/x.json`,
      '--provider',
      'p',
    );
    assert.equal(down.status, 1);
    assert.match(down.stderr, /answered 503/);
  });
});
