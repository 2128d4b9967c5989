// Converts the JSON Schema that zod emits into the structural OpenAPI v3 schema a
// CustomResourceDefinition needs. Kubernetes accepts a subset of OpenAPI v3.0 and rejects a CRD
// that uses anything else, so every keyword is either translated, dropped for a stated reason, or
// refused: a new zod feature that has no structural equivalent fails `npm run gen` loudly instead
// of producing a CRD the API server rejects at install time.
import { z } from 'zod';

/** One node of an OpenAPI v3 schema as Kubernetes reads it. */
export interface SchemaNode {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode;
  required?: string[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ValidationRule[];
}

/** A CEL rule as the CRD carries it. */
export interface ValidationRule {
  rule: string;
  message: string;
  fieldPath?: string;
}

type JsonSchema = Record<string, unknown>;

// Keywords copied as they are: they mean the same in JSON Schema and in Kubernetes' OpenAPI.
const COPIED = new Set([
  'description',
  'type',
  'format',
  'default',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
]);

// A stable key order keeps the generated YAML readable and its diffs small.
const KEY_ORDER: (keyof SchemaNode)[] = [
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
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'items',
  'properties',
  'additionalProperties',
  'required',
  'x-kubernetes-validations',
];

/** Emits the JSON Schema zod produces for a schema, as it reads input (defaults are optional). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

/**
 * Converts one JSON Schema node (and everything under it) into a structural OpenAPI v3 node.
 * `path` names the node in error messages.
 */
export function toStructural(node: JsonSchema, path: string): SchemaNode {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (COPIED.has(key)) {
      out[key] = value;
      continue;
    }
    switch (key) {
      case '$schema':
        // Kubernetes refuses the dialect marker; the dialect is fixed (OpenAPI v3.0).
        break;
      case 'propertyNames':
        // Not structural. Key formats travel as CEL rules (see stringMap in core/api); only the
        // trivial "keys are strings" may be dropped without losing a check.
        if (JSON.stringify(value) !== JSON.stringify({ type: 'string' })) {
          throw new Error(
            `${path}: map keys are constrained in zod but a CRD cannot carry propertyNames; use stringMap() so the key rule becomes CEL`,
          );
        }
        break;
      case 'additionalProperties':
        out.additionalProperties = convertAdditional(value, path);
        break;
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [
            name,
            toStructural(child, `${path}.${name}`),
          ]),
        );
        break;
      case 'items':
        out.items = toStructural(value as JsonSchema, `${path}[]`);
        break;
      case 'const':
        // OpenAPI v3.0 has no const; a one-value enum says the same.
        out.enum = [value];
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        // JSON Schema 2020-12 gives the bound itself; OpenAPI v3.0 gives a boolean next to it.
        const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
        out[bound] = value;
        out[key] = true;
        break;
      }
      default:
        throw new Error(`${path}: JSON Schema keyword "${key}" has no structural equivalent`);
    }
  }
  if (out.type === undefined) throw new Error(`${path}: every structural schema node needs a type`);
  return ordered(withExpandedDefault(out));
}

function withExpandedDefault(node: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(node.default) || node.properties === undefined) return node;
  return {
    ...node,
    default: expandDefault(node.default, node.properties as Record<string, SchemaNode>),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes an object default out in full. zod's `.prefault({})` gives `default: {}`, and the API
 * server validates a default against the CEL rules of its node as written — without applying
 * the nested defaults first — so `{}` would fail a rule like `cooldownSeconds <= maxCooldownSeconds`
 * ("no such key") and the CRD would be refused. The expanded default means the same thing.
 */
function expandDefault(
  value: Record<string, unknown>,
  properties: Record<string, SchemaNode>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const [name, child] of Object.entries(properties)) {
    if (out[name] === undefined && child.default !== undefined) out[name] = child.default;
    else if (isPlainObject(out[name]) && child.properties !== undefined) {
      out[name] = expandDefault(out[name], child.properties);
    }
  }
  return out;
}

function convertAdditional(value: unknown, path: string): SchemaNode | undefined {
  // `false` (strictObject) is the API server's own behaviour: unknown fields are pruned, or
  // rejected with kubectl's strict field validation. `{}` (looseObject) only appears on metadata.
  if (value === false) return undefined;
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) {
    return undefined;
  }
  return toStructural(value as JsonSchema, `${path}.*`);
}

function ordered(node: Record<string, unknown>): SchemaNode {
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  return out;
}

/** Calls `visit` on every node under `node`, with its dotted path (`spec.models[].name`). */
export function walkSchema(
  node: SchemaNode,
  path: string,
  visit: (node: SchemaNode, path: string) => void,
): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    walkSchema(child, path === '' ? name : `${path}.${name}`, visit);
  }
  if (node.items) walkSchema(node.items, `${path}[]`, visit);
  if (node.additionalProperties) walkSchema(node.additionalProperties, `${path}.*`, visit);
}
