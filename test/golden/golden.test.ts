// Golden tests of compile(), Envoy Gateway style: each `<case>.in.yaml` holds ModelProviders,
// RoutePolicies and Secrets; `<case>.out.yaml` holds the RouterConfig and statuses compiled from
// them. `UPDATE_GOLDEN=1` rewrites the .out.yaml files; review the diff like any code change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { compile } from '../../core/compile/compile.ts';
import { formatProblem } from '../../core/compile/manifest-problem.ts';
import { readManifests } from '../../core/compile/manifests.ts';
import { routerConfig } from '../../core/config/router-config.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import { parseManifestText } from '../../cli/parse-manifest-text.ts';
import { secretValuesOf } from '../../cli/secret-values.ts';

const here = dirname(fileURLToPath(import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(here)
  .filter((file) => file.endsWith('.in.yaml'))
  .map((file) => file.slice(0, -'.in.yaml'.length))
  .sort();

test('there are golden cases to run', () => {
  assert.ok(cases.length >= 15, `expected at least 15 cases, found ${cases.length}`);
});

for (const name of cases) {
  test(name.replaceAll('-', ' '), () => {
    const inFile = join(here, `${name}.in.yaml`);
    const outFile = join(here, `${name}.out.yaml`);
    const parsed = parseManifestText(`${name}.in.yaml`, readFileSync(inFile, 'utf8'));
    const set = readManifests(parsed.documents);
    const errors = [...parsed.problems, ...set.problems].filter((p) => p.severity === 'error');
    assert.deepEqual(errors.map(formatProblem), [], 'a golden input must be well-formed YAML');

    const result = compile(set.snapshot);
    routerConfig.parse(result.config);
    const actual = render(name, result);

    if (update) writeFileSync(outFile, actual);
    const expected = readFileSync(outFile, 'utf8');
    assert.equal(
      actual,
      expected,
      `${name}.out.yaml differs; rerun with UPDATE_GOLDEN=1 and review`,
    );

    for (const value of secretValues(set.secretDocuments)) {
      assert.ok(
        !expected.includes(value),
        `a Secret value from ${name}.in.yaml leaked into the output`,
      );
    }
  });
}

function render(name: string, result: ReturnType<typeof compile>): string {
  // Canonical JSON sorts the config's keys, so the file only changes when the config does.
  const config: unknown = JSON.parse(canonicalJson(result.config));
  const body = dump({ config, statuses: result.statuses }, { lineWidth: -1, noRefs: true });
  return `# Generated from ${name}.in.yaml by golden.test.ts; UPDATE_GOLDEN=1 rewrites it.\n${body}`;
}

/** Every Secret value as written (base64) and as decoded, the strings that must never leak. */
function secretValues(secrets: ReturnType<typeof readManifests>['secretDocuments']): string[] {
  const decoded = [...secretValuesOf(secrets).values()];
  const encoded = secrets.flatMap((s) => Object.values(s.data));
  return [...decoded, ...encoded].filter((value) => value.length > 0);
}
