import { z } from 'zod';

/**
 * A cross-field rule written once and enforced twice: as a CEL `x-kubernetes-validations` entry in
 * the generated CRD (so the API server rejects the manifest) and as a zod check (so the CLI and
 * `compile()` reject it with the same message). The parity test proves both halves agree.
 */
export interface CelRule<T> {
  /** CEL expression over `self`, as the API server evaluates it. */
  rule: string;
  /** Message shown when the rule fails; says what to fix. */
  message: string;
  /** JSONPath-like field the error points at, relative to `self` (e.g. `.tiers`). */
  fieldPath?: string;
  /** The same rule in TypeScript, over the parsed (defaulted) value. */
  holds: (self: T) => boolean;
}

/** The metadata key under which CEL rules travel from zod to the generated CRD. */
export const CEL_META_KEY = 'x-kubernetes-validations';

/** Attaches CEL rules to a zod schema: checks for zod, metadata for the CRD generator. */
export function withRules<S extends z.ZodType>(schema: S, rules: CelRule<z.output<S>>[]): S {
  const checked = schema.check((ctx) => {
    for (const rule of rules) {
      if (!rule.holds(ctx.value)) {
        ctx.issues.push({
          code: 'custom',
          message: rule.message,
          input: ctx.value,
          path: fieldPathToPath(rule.fieldPath),
        });
      }
    }
  });
  return checked.meta({
    [CEL_META_KEY]: rules.map(({ rule, message, fieldPath }) =>
      fieldPath === undefined ? { rule, message } : { rule, message, fieldPath },
    ),
  });
}

/**
 * A rule that two numeric fields are in order (`low <= high`, or `low < high` when strict), checked
 * only when both are present. Fields whose default depends on the other (see derived-defaults.ts)
 * stay unset until compile() fills them in, so the rule compares only what the user wrote and a
 * default can never be the value that breaks it.
 */
export function ordered<T extends object>(
  low: keyof T & string,
  high: keyof T & string,
  strict = false,
): CelRule<T> {
  const op = strict ? '<' : '<=';
  return {
    rule: `!has(self.${low}) || !has(self.${high}) || self.${low} ${op} self.${high}`,
    message: strict ? `${low} must be less than ${high}` : `${low} must not exceed ${high}`,
    fieldPath: `.${low}`,
    holds: (self) => {
      const a = (self as Record<string, unknown>)[low] as number | undefined;
      const b = (self as Record<string, unknown>)[high] as number | undefined;
      return a === undefined || b === undefined || (strict ? a < b : a <= b);
    },
  };
}

function fieldPathToPath(fieldPath: string | undefined): PropertyKey[] {
  if (fieldPath === undefined) return [];
  return fieldPath.split('.').filter((part) => part !== '');
}

/**
 * Marks a list as a Kubernetes list-map keyed by the given fields: the API server rejects duplicate
 * keys and server-side apply merges items by key. The zod half checks the same uniqueness.
 */
export function listMap<S extends z.ZodArray>(schema: S, keys: string[], what: string): S {
  const checked = schema.check((ctx) => {
    const items = ctx.value as Record<string, unknown>[];
    if (!uniqueBy(items, (item) => keys.map((key) => String(item[key])).join('/'))) {
      ctx.issues.push({
        code: 'custom',
        message: `${what} must be unique`,
        input: ctx.value,
        path: [],
      });
    }
  });
  return checked.meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
}

/** Marks a list of scalars as a Kubernetes set: the API server and zod both reject duplicates. */
export function listSet<S extends z.ZodArray>(schema: S, what: string): S {
  const checked = schema.check((ctx) => {
    const items = ctx.value as unknown[];
    if (!uniqueBy(items, String)) {
      ctx.issues.push({
        code: 'custom',
        message: `${what} must not repeat`,
        input: ctx.value,
        path: [],
      });
    }
  });
  return checked.meta({ 'x-kubernetes-list-type': 'set' });
}

/** True when every item's key occurs once. */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): boolean {
  return new Set(items.map(key)).size === items.length;
}

/** What every key of a string map must look like: a CEL condition over `k` and the same check in TypeScript. */
export interface MapKeyRule {
  /** CEL condition over one key `k`, e.g. `size(k) <= 64`. */
  rule: string;
  /** Message shown when a key fails; says what a valid key looks like. */
  message: string;
  /** The same condition in TypeScript. */
  holds: (key: string) => boolean;
}

/**
 * A string-keyed map (a YAML mapping with free keys) that the API server can check. Structural
 * schemas cannot carry `propertyNames`, so the key format travels as a CEL rule; `maxProperties`
 * bounds the map so the API server can estimate the cost of that rule. zod checks both, with the
 * bound worded as the API server words it ("must have at most N items").
 */
export function stringMap<V extends z.ZodType>(value: V, maxProperties: number, key: MapKeyRule) {
  const bounded = z
    .record(z.string(), value)
    .check((ctx) => {
      if (Object.keys(ctx.value).length > maxProperties) {
        ctx.issues.push({
          code: 'custom',
          message: `must have at most ${maxProperties} items`,
          input: ctx.value,
          path: [],
        });
      }
    })
    .meta({ maxProperties });
  return withRules(bounded, [
    {
      rule: `self.all(k, ${key.rule})`,
      message: key.message,
      holds: (map) => Object.keys(map).every((name) => key.holds(name)),
    },
  ]);
}

/** The number of Unicode code points in a string, as CEL's `size()` and Kubernetes' maxLength count. */
export function codePoints(text: string): number {
  return [...text].length;
}
