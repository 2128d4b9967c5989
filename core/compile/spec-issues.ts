import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { fieldDescription, fieldNames, fieldSchema } from './field-schema.ts';

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
  return result.success ? [] : describeIssues(schema, result.error.issues, root);
}

/** Turns zod issues into SpecIssues with printable paths and hints. */
export function describeIssues(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  root: string,
): SpecIssue[] {
  return issues.map((issue) => {
    const path = formatPath(root, issue.path);
    const hint = hintFor(schema, issue, path);
    return hint === undefined
      ? { path, message: issue.message }
      : { path, message: issue.message, hint };
  });
}

/** `path: message`, the one-line form used in status messages. */
export function formatIssue(issue: SpecIssue): string {
  return `${issue.path}: ${issue.message}`;
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

function hintFor(schema: z.ZodType, issue: z.core.$ZodIssue, path: string): string | undefined {
  const field = fieldSchema(schema, issue.path);
  const description = field === undefined ? undefined : fieldDescription(field);
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownFieldHint(field, issue.keys, path);
    case 'invalid_type':
      return joinHints(typeHint(issue.expected, issue.message), description);
    case 'custom':
      // Cross-field rules carry their own "what to fix" message; the field's docs add nothing.
      return undefined;
    default:
      return description;
  }
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
  if (received === 'undefined') return 'this field is required';
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
