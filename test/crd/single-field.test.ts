// A default never contradicts a value the user wrote: for every field of both kinds, any value
// within that field's own bounds, written alone on the smallest valid object, is accepted by zod
// and by the CRD (emulated here; test/operator/crd-defaults.test.ts asks the real API server),
// and both store the same defaults. This is what `failover.attemptTimeoutMs: 3000` used to fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { edgeValuesOf, fieldsOf, objectWith, valuesOf, type Field } from './single-field-cases.ts';
import { judgeWithCrd, judgeWithZod, type Kind } from './verdicts.ts';

function assertAccepted(field: Field, value: unknown): void {
  const doc = objectWith(field, value);
  const zod = judgeWithZod(field.kind, doc);
  const crd = judgeWithCrd(field.kind, doc);
  const shown = `${field.label}: ${JSON.stringify(value)}`;
  assert.ok(zod.valid, `zod rejects ${shown}: ${zod.errors.join('; ')}`);
  assert.ok(crd.valid, `the CRD rejects ${shown}: ${crd.errors.join('; ')}`);
  assert.deepEqual(crd.stored, zod.output, `${shown}: the defaults differ`);
}

for (const kind of ['ModelProvider', 'RoutePolicy'] as Kind[]) {
  describe(`every ${kind} field written alone`, () => {
    const fields = fieldsOf(kind);

    test('covers every field of the spec', () => {
      // A floor, so that a broken walk over the CRD cannot pass by finding nothing.
      assert.ok(fields.length >= (kind === 'ModelProvider' ? 30 : 40), `${fields.length} fields`);
    });

    for (const field of fields) {
      test(`${field.label} at any value within its bounds is accepted, with the same defaults`, () => {
        for (const edge of edgeValuesOf(field)) assertAccepted(field, edge);
        fc.assert(
          fc.property(valuesOf(field), (value) => assertAccepted(field, value)),
          { numRuns: 40 },
        );
      });
    }
  });
}
