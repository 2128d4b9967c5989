// The generated files are current, and the CRDs are ones the API server will accept: structural,
// fully described, bounded where CEL reaches, with valid defaults and well-formed list maps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { load } from 'js-yaml';
import { generate, outdated } from '../../scripts/generate-crds.ts';
import { KINDS, crdFileOf } from '../../scripts/gen/crds.ts';
import { toStructural, walkSchema, type SchemaNode } from '../../scripts/gen/openapi.ts';
import { emulateApiServer } from './api-server-emulation.ts';

test('crds/, docs/api.md and demo/ are up to date with core/api and examples/', () => {
  const stale = outdated();
  assert.deepEqual(stale, [], `out of date: ${stale.join(', ')} — run npm run gen`);
});

const generated = generate();

for (const kind of KINDS) {
  const file = crdFileOf(kind);
  const crd = load(generated.get(file) ?? '') as {
    spec: {
      group: string;
      scope: string;
      names: { kind: string; shortNames: string[]; categories: string[] };
      versions: {
        name: string;
        served: boolean;
        storage: boolean;
        subresources: { status: object };
        additionalPrinterColumns: { name: string; jsonPath: string }[];
        schema: { openAPIV3Schema: SchemaNode };
      }[];
    };
  };
  const version = crd.spec.versions[0]!;
  const schema = version.schema.openAPIV3Schema;

  describe(`the ${kind.kind} CRD`, () => {
    test('is namespaced, served and stored as v1alpha1 with a status subresource', () => {
      assert.equal(crd.spec.group, 'switchyard.dev');
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.deepEqual(crd.spec.names.shortNames, [kind.shortName]);
      assert.deepEqual(crd.spec.names.categories, ['switchyard']);
      assert.equal(crd.spec.versions.length, 1);
      assert.equal(version.name, 'v1alpha1');
      assert.equal(version.served && version.storage, true);
      assert.deepEqual(version.subresources, { status: {} });
    });

    test('shows the condition statuses and the age as columns', () => {
      const names = version.additionalPrinterColumns.map((c) => c.name);
      // A PriceFeed is not compiled, so it has its own two conditions instead of the three.
      const conditions =
        kind.kind === 'PriceFeed' ? ['Synced', 'Applied'] : ['Accepted', 'Resolved', 'Programmed'];
      for (const name of [...conditions, 'Age']) {
        assert.ok(names.includes(name), `no ${name} column`);
      }
    });

    test('describes every field', () => {
      const undescribed: string[] = [];
      walkSchema(schema, '', (node, path) => {
        // The API server owns metadata; a CRD may not describe or constrain it.
        if (path === 'metadata') return;
        const isField = !path.endsWith('[]') && !path.endsWith('.*');
        const isObjectItem = path.endsWith('[]') && node.type === 'object';
        if ((isField || isObjectItem) && !node.description) undescribed.push(path || '(root)');
      });
      assert.deepEqual(undescribed, []);
    });

    test('uses only structural OpenAPI keywords', () => {
      const allowed = new Set<string>([
        'description',
        'type',
        'format',
        'default',
        'enum',
        'minimum',
        'exclusiveMinimum',
        'maximum',
        'exclusiveMaximum',
        'minLength',
        'maxLength',
        'pattern',
        'minItems',
        'maxItems',
        'minProperties',
        'maxProperties',
        'items',
        'properties',
        'additionalProperties',
        'required',
        'x-kubernetes-list-type',
        'x-kubernetes-list-map-keys',
        'x-kubernetes-validations',
      ]);
      walkSchema(schema, '', (node, path) => {
        assert.ok(node.type, `${path}: no type`);
        for (const key of Object.keys(node)) assert.ok(allowed.has(key), `${path}: ${key}`);
        assert.ok(!(node.properties && node.additionalProperties), `${path}: properties and a map`);
        if (node.exclusiveMinimum !== undefined)
          assert.equal(typeof node.exclusiveMinimum, 'boolean');
      });
      assert.deepEqual(schema.properties?.metadata, { type: 'object' });
    });

    test('bounds every list, string and map that a CEL rule can reach', () => {
      // The API server estimates each rule's worst-case cost from these bounds and rejects the CRD
      // when a rule could exceed its budget. Checking the whole subtree under a rule is stricter
      // than needed, and cheap.
      const unbounded: string[] = [];
      walkSchema(schema, '', (ruleNode, rulePath) => {
        if (!ruleNode['x-kubernetes-validations']) return;
        walkSchema(ruleNode, rulePath, (node, path) => {
          if (node.type === 'array' && node.maxItems === undefined) unbounded.push(path);
          if (
            node.type === 'object' &&
            node.additionalProperties &&
            node.maxProperties === undefined
          ) {
            unbounded.push(path);
          }
          const boundedString = node.maxLength !== undefined || node.enum || node.format;
          if (node.type === 'string' && !boundedString) unbounded.push(path);
        });
      });
      assert.deepEqual([...new Set(unbounded)], []);
    });

    test('requires the key fields of every list map', () => {
      walkSchema(schema, '', (node, path) => {
        if (node['x-kubernetes-list-type'] !== 'map') return;
        const keys = node['x-kubernetes-list-map-keys'] ?? [];
        assert.ok(keys.length > 0, `${path}: no keys`);
        for (const key of keys) {
          const item = node.items?.properties?.[key];
          assert.ok(item, `${path}: key ${key} is not a field`);
          assert.ok(
            node.items?.required?.includes(key) || item.default !== undefined,
            `${path}: key ${key} is neither required nor defaulted`,
          );
        }
      });
    });

    test('has defaults that pass their own schema, CEL rules included', () => {
      walkSchema(schema, '', (node, path) => {
        if (node.default === undefined) return;
        const verdict = emulateApiServer(node, false)(node.default);
        assert.deepEqual(verdict.errors, [], `${path}: default ${JSON.stringify(node.default)}`);
      });
    });

    test('defaults nested fields only under parents that default to {} or that users opt into', () => {
      // The API server defaults a field only when its parent object exists. Blocks that default to
      // {} (dataPolicy, failover, …) always exist; the optional blocks below get their fields'
      // defaults once a user writes them, which is what their descriptions promise.
      const optIn = new Set([
        'spec.auth.secretRef',
        // PriceFeed: the header and scheme of a credential, once a user adds one.
        'spec.auth',
        'spec.classification.classifier',
        'spec.classification.scorer',
        'spec.classification.embeddings',
        'spec.governance',
        'spec.budget',
        'spec.cache.exact',
        'spec.cache.semantic',
        'spec.quality',
        'spec.quality.demotion',
        'spec.experiment',
      ]);
      walkSchema(schema, '', (node, path) => {
        if (node.type !== 'object' || !node.properties || node.default !== undefined) return;
        if (path === 'spec' || path.endsWith('[]')) return;
        const nested = Object.values(node.properties).some((child) => child.default !== undefined);
        if (nested)
          assert.ok(optIn.has(path), `${path} has defaulted fields but no default itself`);
      });
    });
  });
}

test('the generator refuses a map whose keys zod constrains but a CRD cannot', () => {
  const json = {
    type: 'object',
    propertyNames: { type: 'string', pattern: '^[a-z]+$' },
    additionalProperties: { type: 'string' },
  };
  assert.throws(() => toStructural(json, 'spec.labels'), /propertyNames.*stringMap/);
});

test('the generator refuses JSON Schema it cannot translate', () => {
  assert.throws(() => toStructural({ anyOf: [{ type: 'string' }] }, 'spec.x'), /anyOf/);
  assert.throws(() => toStructural({ description: 'no type' }, 'spec.y'), /needs a type/);
});

test('the generator turns exclusive bounds and constants into OpenAPI v3.0', () => {
  assert.deepEqual(toStructural({ type: 'number', exclusiveMinimum: 0, maximum: 5 }, 'x'), {
    type: 'number',
    minimum: 0,
    exclusiveMinimum: true,
    maximum: 5,
  });
  assert.deepEqual(toStructural({ type: 'string', const: 'a' }, 'x'), {
    type: 'string',
    enum: ['a'],
  });
});
