// The real API server agrees that a default never contradicts a value the user wrote: every field
// of both kinds, written alone at the edges of its range, at its default and at a few drawn values
// (test/crd/single-field-cases.ts), is accepted and stored with exactly the defaults zod fills in.
// The valid fixtures and examples get the same check. Dry-run creates: nothing is stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { edgeValuesOf, fieldsOf, objectWith, valuesOf } from '../crd/single-field-cases.ts';
import { judgeWithZod, kindOf, readManifests, yamlFilesUnder, type Kind } from '../crd/verdicts.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { startControlPlane } from '../harness/control-plane.ts';
import { crdPaths } from './operator-cluster.ts';

const PLURALS: Record<Kind, string> = {
  ModelProvider: 'modelproviders',
  RoutePolicy: 'routepolicies',
};

/** Creates the object in dry-run mode and returns the spec the API server would store. */
async function storedSpec(cp: ControlPlane, kind: Kind, doc: object): Promise<unknown> {
  const path = `/apis/switchyard.dev/v1alpha1/namespaces/default/${PLURALS[kind]}?dryRun=All&fieldValidation=Strict`;
  // Into the default namespace, whatever the fixture names: only the spec is compared.
  const { metadata, ...rest } = doc as { metadata: { name: string } };
  const res = await cp.request('POST', path, { ...rest, metadata: { name: metadata.name } });
  assert.equal(res.status, 201, `the API server refused ${JSON.stringify(doc)}:\n${res.body}`);
  return (res.json as { spec: unknown }).spec;
}

async function assertStoredAsZodSays(cp: ControlPlane, kind: Kind, doc: object, label: string) {
  const zod = judgeWithZod(kind, doc);
  assert.ok(zod.valid, `${label}: zod rejects it: ${zod.errors.join('; ')}`);
  const spec = await storedSpec(cp, kind, doc);
  assert.deepEqual(spec, (zod.output as { spec: unknown }).spec, `${label}: the defaults differ`);
}

describe('defaults on a real API server', () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane({ crds: crdPaths() });
  });

  after(async () => {
    await cp?.stop();
  });

  for (const kind of ['ModelProvider', 'RoutePolicy'] as Kind[]) {
    test(`every ${kind} field written alone is accepted with the defaults zod fills in`, async () => {
      let checked = 0;
      for (const field of fieldsOf(kind)) {
        // Seeded, so a failure names the same values on every run.
        const drawn = fc.sample(valuesOf(field), { numRuns: 3, seed: 11 });
        for (const value of [...edgeValuesOf(field), ...drawn]) {
          const label = `${field.label}: ${JSON.stringify(value)}`;
          await assertStoredAsZodSays(cp, kind, objectWith(field, value), label);
          checked++;
        }
      }
      assert.ok(checked >= 100, `only ${checked} objects checked`);
    });
  }

  test('the valid fixtures and the examples are stored with the defaults zod fills in', async () => {
    const files = [...yamlFilesUnder('examples'), ...yamlFilesUnder('test/crd/fixtures')];
    for (const file of files) {
      for (const [index, { doc }] of readManifests(file).entries()) {
        const kind = kindOf(doc);
        if (!kind) continue;
        await assertStoredAsZodSays(cp, kind, doc, `${file} document ${index + 1}`);
      }
    }
  });
});
