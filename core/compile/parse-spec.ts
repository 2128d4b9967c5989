import type { z } from 'zod';
import { modelProviderSpec, type ModelProviderSpec } from '../api/model-provider.ts';
import { routePolicySpec, type RoutePolicySpec } from '../api/route-policy.ts';
import type { Finding } from './check.ts';
import type { ObjectKind } from './object-id.ts';
import { describeIssues, formatIssue, type SpecIssue } from './spec-issues.ts';

/** The zod schema of each kind's spec: the single source of truth for what a valid spec is. */
export const SPEC_SCHEMAS = {
  ModelProvider: modelProviderSpec,
  RoutePolicy: routePolicySpec,
} as const satisfies Record<ObjectKind, z.ZodType>;

/** A spec after parsing: the value with defaults applied, or every issue found. */
export type SpecParse<T> = { ok: true; spec: T } | { ok: false; issues: SpecIssue[] };

/** Parses a ModelProvider spec, applying its defaults. */
export function parseProviderSpec(spec: unknown): SpecParse<ModelProviderSpec> {
  return parseWith(modelProviderSpec, spec);
}

/** Parses a RoutePolicy spec, applying its defaults. */
export function parsePolicySpec(spec: unknown): SpecParse<RoutePolicySpec> {
  return parseWith(routePolicySpec, spec);
}

/** Every schema issue of a spec, with hints; [] for a valid spec. Used by `switchyard validate`. */
export function specIssuesOf(kind: ObjectKind, spec: unknown): SpecIssue[] {
  const parsed = parseWith<unknown>(SPEC_SCHEMAS[kind], spec);
  return parsed.ok ? [] : parsed.issues;
}

/** The Accepted=False finding of an invalid spec: every issue as `spec.<path>: <message>`. */
export function invalidSpecFinding(issues: readonly SpecIssue[]): Finding {
  return {
    reason: 'InvalidSpec',
    message: `the spec does not match the schema; fix ${issues.length === 1 ? 'this field' : 'these fields'}: ${issues.map(formatIssue).join('; ')}`,
  };
}

function parseWith<T>(schema: z.ZodType, spec: unknown): SpecParse<T> {
  const result = schema.safeParse(spec);
  if (result.success) return { ok: true, spec: result.data as T };
  return { ok: false, issues: describeIssues(schema, spec, result.error.issues, 'spec') };
}
