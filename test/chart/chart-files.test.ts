// The chart's files checked against their sources of truth: its CRDs are the generated ones, its
// RBAC rules are those of deploy/rbac (which test/operator checks against a real API server),
// and every value is documented in values.yaml and typed in values.schema.json.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { load, loadAll } from 'js-yaml';
import { repoRoot } from '../harness/tools.ts';
import { chartDir, find, renderChart, type KubeObject } from './chart-fixture.ts';

/** The part of a JSON schema these checks read. */
interface SchemaNode {
  type?: string | string[];
  $ref?: string;
  oneOf?: SchemaNode[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as SchemaNode;

/** Values a parent chart may pass; the chart has no default for them. */
const PARENT_ONLY = new Set(['global']);

/**
 * The chart's own values as dotted paths with, for each, whether a comment sits right above it.
 * Keys inside a list item or inside a Kubernetes object (a schema `$ref`, such as `resources`)
 * belong to that object's API, which documents them; the key holding the object needs a comment.
 */
function documentedKeys(text: string): Map<string, boolean> {
  const keys = new Map<string, boolean>();
  const stack: { indent: number; key: string }[] = [];
  let previous = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const indent = line.length - line.trimStart().length;
    if (!trimmed.startsWith('#')) {
      while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
      const match = /^([A-Za-z][\w.-]*):(\s|$)/.exec(trimmed);
      const key = trimmed.startsWith('- ') ? '[]' : match?.[1];
      if (key !== undefined) {
        const path = [...stack.map((entry) => entry.key), key];
        const parent = path.includes('[]') ? undefined : schemaAt(path.slice(0, -1));
        if (parent !== undefined && parent.$ref === undefined) {
          keys.set(path.join('.'), previous.startsWith('#'));
        }
        stack.push({ indent, key });
      }
    }
    previous = trimmed;
  }
  return keys;
}

/** The schema node of a values path, not following `$ref` (undefined when the path leaves the chart's own values). */
function schemaAt(path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const key of path) {
    if (node === undefined || node.$ref !== undefined) return undefined;
    node = node.properties?.[key];
  }
  return node;
}

/** Every chart-owned path of the schema (stopping at `$ref`s and arrays). */
function schemaPaths(node: SchemaNode, prefix: readonly string[] = []): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = [...prefix, key];
    const nested = child.$ref === undefined ? schemaPaths(child, path) : [];
    return [path.join('.'), ...nested];
  });
}

/** Problems of a schema node and everything below it: untyped values, open objects. */
function schemaProblems(node: SchemaNode, where: string): string[] {
  const problems: string[] = [];
  if (node.type === undefined && node.$ref === undefined && node.oneOf === undefined) {
    problems.push(`${where} has no type`);
  }
  const isObject = node.type === 'object';
  if (isObject && node.additionalProperties === undefined && where !== '#/properties/global') {
    problems.push(`${where} accepts any property (additionalProperties is not set)`);
  }
  if (isObject && node.additionalProperties === true) {
    problems.push(`${where} accepts any property`);
  }
  const children: [string, SchemaNode][] = [
    ...Object.entries(node.properties ?? {}).map(([key, child]): [string, SchemaNode] => [
      `${where}/properties/${key}`,
      child,
    ]),
    ...Object.entries(node.definitions ?? {}).map(([key, child]): [string, SchemaNode] => [
      `#/definitions/${key}`,
      child,
    ]),
    ...(node.items === undefined ? [] : [[`${where}/items`, node.items] as [string, SchemaNode]]),
    ...(typeof node.additionalProperties === 'object'
      ? [[`${where}/additionalProperties`, node.additionalProperties] as [string, SchemaNode]]
      : []),
    ...(node.oneOf ?? []).map((child, index): [string, SchemaNode] => [
      `${where}/oneOf/${index}`,
      child,
    ]),
  ];
  for (const [path, child] of children) problems.push(...schemaProblems(child, path));
  return problems;
}

function rulesOf(objects: readonly unknown[], kind: string): unknown {
  const found = (objects as KubeObject[]).filter((object) => object?.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0]!['rules'];
}

describe('the chart files', () => {
  test("the chart's crds/ holds the same bytes as the generated top-level crds/", () => {
    const generated = readdirSync(join(repoRoot, 'crds')).filter((name) => name.endsWith('.yaml'));
    const shipped = readdirSync(join(chartDir, 'crds'));
    assert.deepEqual(shipped.sort(), generated.sort());
    assert.equal(shipped.length, 3);
    for (const name of generated) {
      const expected = readFileSync(join(repoRoot, 'crds', name));
      const actual = readFileSync(join(chartDir, 'crds', name));
      assert.ok(
        actual.equals(expected),
        `charts/switchyard/crds/${name} differs: copy crds/${name}`,
      );
    }
  });

  test('the RBAC rules are exactly those of deploy/rbac, bound to the release namespace', async () => {
    const { objects } = await renderChart();
    const operator = loadAll(readFileSync(join(repoRoot, 'deploy/rbac/operator.yaml'), 'utf8'));
    const proxy = loadAll(readFileSync(join(repoRoot, 'deploy/rbac/proxy.yaml'), 'utf8'));
    assert.deepEqual(
      find(objects, 'ClusterRole', 'switchyard-operator')['rules'],
      rulesOf(operator, 'ClusterRole'),
    );
    assert.deepEqual(
      find(objects, 'Role', 'switchyard-operator')['rules'],
      rulesOf(operator, 'Role'),
    );
    assert.deepEqual(find(objects, 'Role', 'switchyard-proxy')['rules'], rulesOf(proxy, 'Role'));
    const roles = objects.filter(
      (object) => object.kind === 'ClusterRole' || object.kind === 'Role',
    );
    assert.equal(roles.length, 3, 'no other role is granted');
    for (const binding of objects.filter((object) => object.kind.endsWith('Binding'))) {
      const subjects = binding['subjects'] as { namespace: string }[];
      assert.deepEqual(
        subjects.map((subject) => subject.namespace),
        ['ai'],
        `${binding.kind}/${binding.metadata.name}`,
      );
    }
  });

  test('every value is documented in values.yaml and typed in values.schema.json', () => {
    const text = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
    const keys = documentedKeys(text);
    const undocumented = [...keys].filter(([, commented]) => !commented).map(([path]) => path);
    assert.deepEqual(undocumented, [], 'values without a comment right above them');

    const inSchema = schemaPaths(schema).filter((path) => !PARENT_ONLY.has(path));
    assert.deepEqual(
      [...keys.keys()].sort(),
      inSchema.sort(),
      'values.yaml and the schema list the same values',
    );
    const undescribed = inSchema.filter((path) => {
      const node = schemaAt(path.split('.'));
      return node?.description === undefined || node.description === '';
    });
    assert.deepEqual(undescribed, [], 'schema properties without a description');

    assert.deepEqual(schemaProblems(schema, '#'), []);
    assert.equal(
      (schema as { $schema?: string }).$schema,
      'http://json-schema.org/draft-07/schema#',
    );
    // The defaults themselves are checked against the schema by `helm lint` (render.test.ts).
    assert.equal(typeof load(text), 'object');
  });
});
