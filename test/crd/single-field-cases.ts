// "A default never contradicts a value the user wrote", as cases: the smallest valid object of a
// kind plus one field set to a value within that field's own bounds, every other field left to
// its default. The fields and their bounds are read from the generated CRDs, so a field added to
// core/api is covered without touching this file; the emulated suite (single-field.test.ts) and
// the real API server (test/operator/crd-defaults.test.ts) both draw their cases from here.
import fc from 'fast-check';
import type { SchemaNode } from '../../scripts/gen/openapi.ts';
import { crdSchemaFromFile } from './api-server-emulation.ts';
import type { Kind } from './verdicts.ts';

/** One field a user may write, and the schema it must satisfy on its own. */
export interface Field {
  kind: Kind;
  /** Dotted path with `[]` for list items, as docs/api.md prints it: `spec.models[].tags`. */
  label: string;
  /** The path as segments; `[]` steps into the first item of a list. */
  segments: string[];
  node: SchemaNode;
}

// Required fields of the base objects sit at the top of their range, so that an optional field's
// value is never contradicted by another value the user wrote (maxOutputTokens ≤ contextWindow,
// cachedInputPerMillion ≤ inputPerMillion): such rules are the user's to satisfy, and the
// property is about defaults.
const BASES: Record<Kind, Record<string, unknown>> = {
  ModelProvider: {
    api: 'openai',
    models: [
      {
        name: 'm',
        contextWindow: 100000000,
        pricing: { inputPerMillion: 100000, outputPerMillion: 100000 },
      },
    ],
  },
  RoutePolicy: {
    model: 'auto',
    tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm' }] }],
  },
  // https, so that a credential (spec.auth, set by the cases under it) may be sent.
  PriceFeed: { url: 'https://prices.example.com/models.json', format: 'openrouter' },
};

// What an optional object (or the first item of an empty list) must hold at least, when the
// field being set lives inside it: its required fields, or one condition where a rule asks for
// "at least one of". A missing entry shows up as a failing case naming the object.
const CONTAINERS: Record<string, unknown> = {
  'ModelProvider spec.auth': { secretRef: { name: 's' } },
  'ModelProvider spec.models[].pricing.feedRef': { name: 'f', id: 'vendor/m' },
  'PriceFeed spec.auth': { secretRef: { name: 's' } },
  'RoutePolicy spec.classification.rules[]': { name: 'r', tier: 't', match: { hasTools: true } },
  'RoutePolicy spec.classification.classifier': { target: { provider: 'p', model: 'm' } },
  'RoutePolicy spec.classification.embeddings': {
    target: { provider: 'p', model: 'e' },
    exemplars: [{ text: 'x', tier: 't' }],
  },
  'RoutePolicy spec.classification.scorer.thresholds[]': { tier: 't', minScore: 0.5 },
  'RoutePolicy spec.latency': { interactiveTtftMs: 1500 },
  'RoutePolicy spec.governance': { pool: { trainsOnData: false } },
  'RoutePolicy spec.budget': { monthlyUSD: 100 },
  'RoutePolicy spec.cache': { exact: {} },
  'RoutePolicy spec.quality': { judge: { provider: 'p', model: 'm' } },
  'RoutePolicy spec.experiment': { variant: 'v', percent: 10 },
};

// Fields whose value must name something else in the object: any other value is a dangling
// reference, wrong whatever the defaults.
const REFERENCES: Record<string, unknown[]> = {
  'RoutePolicy spec.classification.default': ['t'],
  'RoutePolicy spec.classification.rules[].tier': ['t'],
  'RoutePolicy spec.classification.embeddings.exemplars[].tier': ['t'],
  'RoutePolicy spec.classification.scorer.thresholds[].tier': ['t'],
  'RoutePolicy spec.quality.tierSamplePercent': [{}, { t: 0 }, { t: 2.5 }, { t: 100 }],
};

/** The CRD files, by kind. */
const CRD_FILES: Record<Kind, string> = {
  ModelProvider: 'crds/switchyard.dev_modelproviders.yaml',
  RoutePolicy: 'crds/switchyard.dev_routepolicies.yaml',
  PriceFeed: 'crds/switchyard.dev_pricefeeds.yaml',
};

/** Every field of a kind's spec that holds a value (scalars, lists of scalars, maps). */
export function fieldsOf(kind: Kind): Field[] {
  const spec = crdSchemaFromFile(CRD_FILES[kind]).properties?.spec;
  if (!spec) throw new Error(`${kind}: the CRD has no spec`);
  const fields: Field[] = [];
  const walk = (node: SchemaNode, segments: string[]): void => {
    if (node.type === 'object' && node.properties) {
      for (const [name, child] of Object.entries(node.properties)) walk(child, [...segments, name]);
    } else if (node.type === 'array' && node.items?.type === 'object') {
      walk(node.items, [...segments, '[]']);
    } else {
      fields.push({ kind, label: labelOf(segments), segments, node });
    }
  };
  walk(spec, ['spec']);
  return fields;
}

function labelOf(segments: readonly string[]): string {
  return segments.reduce(
    (out, s) => (s === '[]' ? `${out}[]` : out === '' ? s : `${out}.${s}`),
    '',
  );
}

/** The smallest valid object of a kind with `value` written at the field, every other field omitted. */
export function objectWith(field: Field, value: unknown): Record<string, unknown> {
  const spec = structuredClone(BASES[field.kind]);
  let current: Record<string, unknown> | unknown[] = { spec };
  for (const [index, segment] of field.segments.entries()) {
    const last = index === field.segments.length - 1;
    const here = `${field.kind} ${labelOf(field.segments.slice(0, index + 1))}`;
    if (segment === '[]') {
      const list = current as unknown[];
      list[0] ??= structuredClone(CONTAINERS[here] ?? {});
      current = list[0] as Record<string, unknown>;
      continue;
    }
    const object = current as Record<string, unknown>;
    if (last) object[segment] = value;
    else if (object[segment] === undefined) {
      const next =
        field.segments[index + 1] === '[]' ? [] : structuredClone(CONTAINERS[here] ?? {});
      object[segment] = next;
    }
    current = object[segment] as Record<string, unknown> | unknown[];
  }
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: field.kind,
    metadata: { name: 'one-field' },
    spec,
  };
}

/** Values within the field's own bounds (type, range, length, pattern, enum, list and map bounds). */
export function valuesOf(field: Field): fc.Arbitrary<unknown> {
  const reference = REFERENCES[`${field.kind} ${field.label}`];
  if (reference) return fc.constantFrom(...reference);
  return valueArbitrary(field.node);
}

function valueArbitrary(node: SchemaNode): fc.Arbitrary<unknown> {
  if (node.enum) return fc.constantFrom(...node.enum);
  switch (node.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: (node.minimum ?? -1e9) + (node.exclusiveMinimum ? 1 : 0),
        max: (node.maximum ?? 1e9) - (node.exclusiveMaximum ? 1 : 0),
      });
    case 'number':
      return fc
        .double({
          min: node.minimum ?? -1e9,
          max: node.maximum ?? 1e9,
          minExcluded: node.exclusiveMinimum === true,
          maxExcluded: node.exclusiveMaximum === true,
          noNaN: true,
        })
        .map((x) => x + 0); // + 0 turns -0 into 0
    case 'string':
      return stringArbitrary(node);
    case 'array':
      return listArbitrary(node);
    case 'object':
      return mapArbitrary(node);
    default:
      throw new Error(`no values for a ${String(node.type)} field`);
  }
}

function stringArbitrary(node: SchemaNode): fc.Arbitrary<string> {
  const minLength = node.minLength ?? 0;
  const maxLength = Math.min(node.maxLength ?? 64, 64);
  const fits = (text: string): boolean =>
    [...text].length >= minLength && [...text].length <= (node.maxLength ?? Infinity);
  const ownRules = forbiddenMatches(node);
  const allowed = (text: string): boolean => ownRules.every((re) => !re.test(text));
  if (node.pattern)
    return fc.stringMatching(new RegExp(node.pattern)).filter((t) => fits(t) && allowed(t));
  return fc.string({ minLength, maxLength }).filter(allowed);
}

/**
 * The string's own CEL rules of the form `!self.matches(r'RE')` (e.g. the RE2-only rule on
 * patterns: no backreferences or lookaround): part of the field's bounds, so the values drawn
 * keep to them, as a user writing a valid value would.
 */
function forbiddenMatches(node: SchemaNode): RegExp[] {
  const found: RegExp[] = [];
  for (const { rule } of node['x-kubernetes-validations'] ?? []) {
    const match = /^!self\.matches\(r'(.*)'\)$/.exec(rule);
    if (match?.[1] !== undefined) found.push(new RegExp(match[1]));
  }
  return found;
}

function listArbitrary(node: SchemaNode): fc.Arbitrary<unknown[]> {
  if (!node.items) throw new Error('a list without items');
  const item = valueArbitrary(node.items);
  const bounds = { minLength: node.minItems ?? 0, maxLength: Math.min(node.maxItems ?? 4, 4) };
  return node['x-kubernetes-list-type'] === 'set'
    ? fc.uniqueArray(item, { ...bounds, selector: (value) => JSON.stringify(value) })
    : fc.array(item, bounds);
}

// Map keys satisfy every key rule of the API (header names and metadata keys alike).
function mapArbitrary(node: SchemaNode): fc.Arbitrary<Record<string, unknown>> {
  if (!node.additionalProperties) throw new Error('an object field without properties or values');
  return fc.dictionary(
    fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/),
    valueArbitrary(node.additionalProperties),
    { maxKeys: Math.min(node.maxProperties ?? 4, 4) },
  );
}

/** The values at the edges of a numeric field's range and its static default, where there are. */
export function edgeValuesOf(field: Field): unknown[] {
  if (REFERENCES[`${field.kind} ${field.label}`]) return [];
  const { node } = field;
  const edges: unknown[] = [];
  if (node.type === 'integer' || node.type === 'number') {
    if (node.minimum !== undefined && !node.exclusiveMinimum) edges.push(node.minimum);
    if (node.maximum !== undefined && !node.exclusiveMaximum) edges.push(node.maximum);
  }
  if (node.default !== undefined) edges.push(node.default);
  return edges;
}
