/**
 * Gemini's `responseSchema` and function `parameters` take an OpenAPI 3.0 subset, and reject
 * JSON Schema keywords outside it (`additionalProperties`, `$schema`, `$defs`, …) that OpenAI
 * clients send routinely (strict mode requires `additionalProperties: false`). This converts a
 * JSON Schema to that subset: unknown keywords are dropped, local `$ref`s are inlined (to a
 * bounded depth, since recursive schemas cannot be inlined), `type: [T, "null"]` and a null
 * enum member become `nullable`, `const` becomes a one-value `enum`, `oneOf` becomes `anyOf`.
 */
export function toGeminiSchema(schema: unknown): Record<string, unknown> {
  const root = isObject(schema) ? schema : {};
  const defs = { ...asObject(root['definitions']), ...asObject(root['$defs']) };
  return convert(root, defs, 0);
}

const KEPT = new Set([
  'format',
  'title',
  'description',
  'nullable',
  'maxItems',
  'minItems',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'propertyOrdering',
  'default',
  'minimum',
  'maximum',
]);

/** Deeper `$ref` chains than this are cut to an unconstrained schema. */
const MAX_REF_DEPTH = 8;

function convert(
  schema: Record<string, unknown>,
  defs: Record<string, unknown>,
  depth: number,
): Record<string, unknown> {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = defs[ref.replace(/^#\/(\$defs|definitions)\//, '')];
    return depth < MAX_REF_DEPTH && isObject(target) ? convert(target, defs, depth + 1) : {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEPT.has(key)) out[key] = value;
  }
  convertType(schema, out);
  const values = 'const' in schema ? [schema['const']] : schema['enum'];
  if (Array.isArray(values)) {
    // Gemini enums are strings only; a null member means nullable.
    if (values.includes(null)) out['nullable'] = true;
    out['enum'] = values.filter((value) => typeof value === 'string');
  }
  const properties = schema['properties'];
  if (isObject(properties)) {
    const converted: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(properties)) {
      converted[name] = isObject(value) ? convert(value, defs, depth) : {};
    }
    out['properties'] = converted;
  }
  if (isObject(schema['items'])) out['items'] = convert(schema['items'], defs, depth);
  const anyOf = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(anyOf)) {
    out['anyOf'] = anyOf.filter(isObject).map((item) => convert(item, defs, depth));
  }
  return out;
}

function convertType(schema: Record<string, unknown>, out: Record<string, unknown>): void {
  const type = schema['type'];
  if (typeof type === 'string') {
    if (type === 'null') out['nullable'] = true;
    else out['type'] = type;
  } else if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === 'string' && t !== 'null');
    if (types.length < type.length) out['nullable'] = true;
    if (types.length === 1) out['type'] = types[0];
    else if (types.length > 1) out['anyOf'] = types.map((t) => ({ type: t }));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}
