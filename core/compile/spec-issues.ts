import type { z } from 'zod';
import { DNS_LABEL_PATTERN, MODEL_NAME_PATTERN, objectName } from '../api/common.ts';
import { didYouMean } from './did-you-mean.ts';
import { fieldDescription, fieldNames, fieldSchema, mayBeOmitted } from './field-schema.ts';

/** One schema violation: where, zod's own message, and (when we know one) how to fix it. */
export interface SpecIssue {
  /** Field path, e.g. `spec.models[0].pricing.inputPerMillion`. */
  path: string;
  /** zod's message, unchanged so that expected-message fixtures can match it. */
  message: string;
  /** What to do about it: a concrete fix and/or the field's documentation. */
  hint?: string;
}

/** Validates `value` against `schema`; [] when it conforms. `root` prefixes every path (`spec`). */
export function schemaIssues(schema: z.ZodType, value: unknown, root: string): SpecIssue[] {
  const result = schema.safeParse(value);
  return result.success ? [] : describeIssues(schema, value, result.error.issues, root);
}

/** Turns zod issues into SpecIssues with printable paths and hints. */
export function describeIssues(
  schema: z.ZodType,
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  root: string,
): SpecIssue[] {
  return issues.map((issue) => {
    const path = formatPath(root, issue.path);
    const absent = issue.code !== 'unrecognized_keys' && valueAt(value, issue.path) === undefined;
    const hint = absent ? absentFieldHint(schema, issue) : hintFor(schema, issue, path);
    return hint === undefined
      ? { path, message: issue.message }
      : { path, message: issue.message, hint };
  });
}

/** `path: message`, the one-line form used in status messages (just the message at the root). */
export function formatIssue(issue: SpecIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/** Prints a zod path the way kubectl does: `spec.models[0].name`, odd keys as `["x y"]`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
    } else {
      const name = String(key);
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) out += `[${JSON.stringify(name)}]`;
      else out += out === '' ? name : `.${name}`;
    }
  }
  return out;
}

/** The value at a path, or undefined when the path leads nowhere. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * The hint for an issue at a field the manifest does not set. Only a field without a default is
 * "required"; a field with one (static or derived) can only be named by a cross-field rule, and
 * then the value that broke the rule is its default, which is worth saying.
 */
function absentFieldHint(schema: z.ZodType, issue: z.core.$ZodIssue): string | undefined {
  const field = fieldSchema(schema, issue.path);
  const description = describedAt(schema, issue.path);
  if (field !== undefined && mayBeOmitted(field)) {
    return joinHints(
      'this field is not set, so its default applies; set it explicitly',
      description,
    );
  }
  return joinHints('this field is required', description);
}

function describedAt(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const field = fieldSchema(schema, path);
  return field === undefined ? undefined : fieldDescription(field);
}

function hintFor(schema: z.ZodType, issue: z.core.$ZodIssue, path: string): string | undefined {
  const field = fieldSchema(schema, issue.path);
  const description = describedAt(schema, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownFieldHint(field, issue.keys, path);
    case 'invalid_type':
      return joinHints(typeHint(issue.expected, issue.message), description);
    case 'invalid_format':
      return joinHints(
        issue.format === 'regex' ? PATTERN_HINTS.get(issue.pattern ?? '') : undefined,
        description,
      );
    case 'custom':
      // Cross-field rules carry their own "what to fix" message; the field's docs add nothing.
      return undefined;
    default:
      return description;
  }
}

/**
 * The shared name patterns in words, keyed as zod reports them (`/source/`): a regular expression
 * is a poor explanation of what a name may contain.
 */
const PATTERN_HINTS = new Map<string, string>([
  [
    String(new RegExp(objectNamePattern())),
    'a Kubernetes name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
  ],
  [
    String(new RegExp(DNS_LABEL_PATTERN)),
    'lower-case letters, digits and "-", starting and ending with a letter or digit',
  ],
  [
    String(new RegExp(MODEL_NAME_PATTERN)),
    'letters, digits, ".", "_", ":" and "-", starting and ending with a letter or digit; no "/"',
  ],
]);

/** The regular expression of `objectName`, read from the schema so the two cannot drift apart. */
function objectNamePattern(): string {
  for (const check of objectName.def.checks ?? []) {
    const pattern = (check._zod.def as { pattern?: unknown }).pattern;
    if (pattern instanceof RegExp) return pattern.source;
  }
  return '(?!)';
}

function unknownFieldHint(
  parent: z.ZodType | undefined,
  keys: readonly string[],
  path: string,
): string {
  const valid = parent === undefined ? [] : fieldNames(parent);
  const unknown = keys.map((key) => {
    const full = path === '' ? key : `${path}.${key}`;
    const guess = didYouMean(key, valid);
    return guess === undefined
      ? `unknown field "${full}"`
      : `unknown field "${full}" (did you mean "${guess}"?)`;
  });
  const where = path === '' ? 'at the top level' : `in ${path}`;
  return valid.length === 0
    ? unknown.join(', ')
    : `${unknown.join(', ')}; valid fields ${where}: ${valid.join(', ')}`;
}

function typeHint(expected: string, message: string): string | undefined {
  const received = /received (\w+)/.exec(message)?.[1];
  if (received === 'null') return 'the field is empty: give it a value or remove it';
  if (received === 'string' && ['number', 'int', 'bigint'].includes(expected)) {
    return 'write the number without quotes';
  }
  if (received === 'string' && expected === 'boolean') return 'write true or false without quotes';
  if (expected === 'array') return 'this field is a list: start each item with "- "';
  if (expected === 'object' && received === 'array') {
    return 'this field is a mapping of named fields, not a list: remove the "- "';
  }
  if (expected === 'string' && (received === 'number' || received === 'boolean')) {
    return 'quote the value to make it a string';
  }
  return undefined;
}

function joinHints(...hints: (string | undefined)[]): string | undefined {
  const present = hints.filter((hint) => hint !== undefined);
  return present.length === 0 ? undefined : present.join('; ');
}
