// An emulation of what kube-apiserver does with a custom resource, driven only by the generated
// CRD: prune nulls, apply defaults, validate the OpenAPI schema (ajv), check list-type map/set
// uniqueness, then evaluate every x-kubernetes-validations rule with a CEL interpreter. Messages
// are worded the way Kubernetes words them, so fixtures can state what kubectl will print.
//
// It is a stand-in for the parity test, not for the real API server: CEL cost estimation and
// CRD-level checks happen only when the CRDs are applied to a real control plane.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import type { SchemaNode } from '../../scripts/gen/openapi.ts';

/** The outcome of sending one object to the (emulated) API server. */
export interface ServerVerdict {
  valid: boolean;
  /** Errors as `field: message`, worded as Kubernetes words them. */
  errors: string[];
  /** The object after pruning and defaulting, as the API server would store it. */
  stored: unknown;
}

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Reads the openAPIV3Schema of a kind from its CRD file in crds/. */
export function crdSchemaFromFile(file: string): SchemaNode {
  const crd = load(readFileSync(join(ROOT, file), 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] };
  };
  const version = crd.spec.versions[0];
  if (!version) throw new Error(`${file}: no version`);
  return version.schema.openAPIV3Schema;
}

// What the API server checks on every object's metadata, whatever the CRD says (ObjectMeta).
const OBJECT_META = {
  type: 'object',
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    },
  },
};

/** Builds the emulated API server for one kind from its openAPIV3Schema. */
export function emulateApiServer(
  schema: SchemaNode,
  root = true,
): (object: unknown) => ServerVerdict {
  // verbose: errors carry the offending value, which Kubernetes prints.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  ajv.addFormat('date-time', RFC3339);
  const validate = ajv.compile(toAjvSchema(schema, root));
  return (object) => {
    const stored = applyDefaults(pruneNulls(structuredClone(object), schema), schema);
    const errors: string[] = [];
    const typeErrors = schemaErrors(validate, stored, errors);
    errors.push(...listErrors(stored, schema, ''));
    // Like the API server, CEL only runs on an object whose fields have the declared types.
    if (!typeErrors) errors.push(...celErrors(stored, schema, ''));
    return { valid: errors.length === 0, errors, stored };
  };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

// ---------------------------------------------------------------- schema → ajv

function toAjvSchema(node: SchemaNode, root: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'default') continue;
    if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, SchemaNode>).map(([name, child]) => [
          name,
          root && name === 'metadata' ? OBJECT_META : toAjvSchema(child, false),
        ]),
      );
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = toAjvSchema(value as SchemaNode, false);
    } else {
      out[key] = value;
    }
  }
  // OpenAPI v3.0 marks an exclusive bound with a boolean; JSON Schema gives the bound itself.
  if (node.exclusiveMinimum) {
    delete out.minimum;
    out.exclusiveMinimum = node.minimum;
  }
  if (node.exclusiveMaximum) {
    delete out.maximum;
    out.exclusiveMaximum = node.maximum;
  }
  // kubectl's default strict field validation rejects fields the schema does not declare.
  if (node.properties && !node.additionalProperties) out.additionalProperties = false;
  return out;
}

function schemaErrors(validate: ValidateFunction, object: unknown, errors: string[]): boolean {
  if (validate(object)) return false;
  let typeErrors = false;
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'type') typeErrors = true;
    errors.push(kubernetesMessage(error));
  }
  return typeErrors;
}

type Formatter = (path: string, p: Record<string, unknown>, data: unknown) => string;

const inBody = (path: string, data: unknown) =>
  `${path}: Invalid value: ${JSON.stringify(data)}: ${path} in body`;

// One entry per OpenAPI keyword, worded as kube-openapi and apimachinery's field errors word it.
const MESSAGES: Record<string, Formatter> = {
  required: (path, p) => `${join2(path, String(p.missingProperty))}: Required value`,
  additionalProperties: (path, p) =>
    `strict decoding error: unknown field "${join2(path, String(p.additionalProperty))}"`,
  type: (path, p, data) =>
    `${path}: Invalid value: "${jsonType(data)}": ${path} in body must be of type ${String(p.type)}: "${jsonType(data)}"`,
  enum: (path, p, data) =>
    `${path}: Unsupported value: ${JSON.stringify(data)}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
  maximum: (path, p, data) =>
    `${inBody(path, data)} should be less than or equal to ${String(p.limit)}`,
  minimum: (path, p, data) =>
    `${inBody(path, data)} should be greater than or equal to ${String(p.limit)}`,
  exclusiveMaximum: (path, p, data) =>
    `${inBody(path, data)} should be less than ${String(p.limit)}`,
  exclusiveMinimum: (path, p, data) =>
    `${inBody(path, data)} should be greater than ${String(p.limit)}`,
  maxLength: (path, p) => `${path}: Too long: may not be more than ${String(p.limit)} bytes`,
  minLength: (path, p, data) =>
    `${inBody(path, data)} should be at least ${String(p.limit)} chars long`,
  pattern: (path, p, data) => `${inBody(path, data)} should match '${String(p.pattern)}'`,
  maxItems: (path, p, data) =>
    `${path}: Too many: ${lengthOf(data)}: must have at most ${String(p.limit)} items`,
  minItems: (path, p, data) =>
    `${path}: Invalid value: ${lengthOf(data)}: ${path} in body should have at least ${String(p.limit)} items`,
  maxProperties: (path, p, data) =>
    `${path}: Too many: ${lengthOf(data)}: must have at most ${String(p.limit)} items`,
  format: (path, p, data) => `${inBody(path, data)} must be of type ${String(p.format)}`,
};

function kubernetesMessage(error: ErrorObject): string {
  const path = fieldPath(error.instancePath);
  const format = MESSAGES[error.keyword];
  if (format) return format(path, error.params as Record<string, unknown>, error.data);
  return `${inBody(path, error.data)}: ${error.message ?? error.keyword}`;
}

function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : join2(path, part)), '');
}

function join2(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function lengthOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'object' && value !== null ? Object.keys(value).length : 0;
}

// ---------------------------------------------------------------- pruning and defaulting

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema a child of an object or list follows, if the schema declares one. */
function childSchema(node: SchemaNode, key: string | number): SchemaNode | undefined {
  if (typeof key === 'number') return node.items;
  return node.properties?.[key] ?? node.additionalProperties;
}

// The API server drops null values of non-nullable fields before defaulting, so `limits:` with
// nothing after it is as if the field were absent.
function pruneNulls(value: unknown, node: SchemaNode | undefined): unknown {
  if (!node) return value;
  if (Array.isArray(value))
    return value.map((item, index) => pruneNulls(item, childSchema(node, index)));
  if (!isRecord(value)) return value;
  for (const [key, child] of Object.entries(value)) {
    if (child === null && childSchema(node, key)) delete value[key];
    else value[key] = pruneNulls(child, childSchema(node, key));
  }
  return value;
}

// Defaults apply top-down: a defaulted `{}` then receives its own fields' defaults.
function applyDefaults(value: unknown, node: SchemaNode | undefined): unknown {
  if (!node) return value;
  if (Array.isArray(value)) {
    return value.map((item, index) => applyDefaults(item, childSchema(node, index)));
  }
  if (!isRecord(value)) return value;
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (value[key] === undefined && child.default !== undefined) {
      value[key] = structuredClone(child.default);
    }
  }
  for (const [key, child] of Object.entries(value)) {
    value[key] = applyDefaults(child, childSchema(node, key));
  }
  return value;
}

// ---------------------------------------------------------------- list types

function listErrors(value: unknown, node: SchemaNode | undefined, path: string): string[] {
  if (!node) return [];
  const errors: string[] = [];
  if (Array.isArray(value)) {
    errors.push(...duplicates(value, node, path));
    value.forEach((item, index) =>
      errors.push(...listErrors(item, node.items, `${path}[${index}]`)),
    );
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      errors.push(...listErrors(child, childSchema(node, key), join2(path, key)));
    }
  }
  return errors;
}

function duplicates(items: unknown[], node: SchemaNode, path: string): string[] {
  const type = node['x-kubernetes-list-type'];
  if (type !== 'set' && type !== 'map') return [];
  const keys = node['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  const errors: string[] = [];
  items.forEach((item, index) => {
    const identity =
      type === 'set'
        ? JSON.stringify(item)
        : JSON.stringify(keys.map((key) => (isRecord(item) ? item[key] : undefined)));
    if (seen.has(identity)) {
      const shown =
        type === 'set'
          ? JSON.stringify(item)
          : `map[string]interface {}{${keys.map((key) => `"${key}":${JSON.stringify(isRecord(item) ? item[key] : null)}`).join(', ')}}`;
      errors.push(`${path}[${index}]: Duplicate value: ${shown}`);
    }
    seen.add(identity);
  });
  return errors;
}

// ---------------------------------------------------------------- CEL

const env = celEnv();
const programs = new Map<string, ReturnType<typeof plan>>();

function program(rule: string): ReturnType<typeof plan> {
  let compiled = programs.get(rule);
  if (!compiled) {
    compiled = plan(env, parse(rule));
    programs.set(rule, compiled);
  }
  return compiled;
}

function celErrors(value: unknown, node: SchemaNode | undefined, path: string): string[] {
  if (!node || value === undefined) return [];
  const errors: string[] = [];
  for (const { rule, message, fieldPath: at } of node['x-kubernetes-validations'] ?? []) {
    const result = program(rule)({ self: toCel(value, node) });
    if (result === true) continue;
    const where = `${path}${at ?? ''}`;
    const reason = isCelError(result) ? `${result.message} evaluating rule: ${rule}` : message;
    errors.push(`${where}: Invalid value: "object": ${reason}`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) =>
      errors.push(...celErrors(item, node.items, `${path}[${index}]`)),
    );
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      errors.push(...celErrors(child, childSchema(node, key), join2(path, key)));
    }
  }
  return errors;
}

// The API server hands CEL typed values: integers as int, numbers as double (even when written
// as 1), objects and maps as maps. The schema, not the JSON value, decides.
function toCel(value: unknown, node: SchemaNode | undefined): CelInput {
  switch (node?.type) {
    case 'integer':
      return BigInt(value as number);
    case 'number':
      return Number(value);
    case 'array':
      return (value as unknown[]).map((item) => toCel(item, node.items));
    case 'object':
      return new Map(
        Object.entries(value as Record<string, unknown>).map(([key, child]) => [
          key,
          toCel(child, childSchema(node, key)),
        ]),
      );
    default:
      return value as CelInput;
  }
}
