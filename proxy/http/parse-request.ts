import type { z } from 'zod';
import { chatCompletionRequest } from '../../core/openai/chat-request.ts';
import { embeddingsRequest } from '../../core/openai/embeddings.ts';
import { clientSchemaProblem, depthOf } from '../../core/openai/schema-limits.ts';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../core/openai/types.ts';
import { ProxyError } from '../errors/proxy-error.ts';

/** Parses and validates a chat completion body; errors name the offending field like OpenAI does. */
export function parseChatRequest(body: Buffer): ChatCompletionRequest {
  const request = validate(chatCompletionRequest, parseJson(body));
  checkResponseSchema(request);
  return request;
}

/** A json_schema the quality gate will compile must be within its size and depth limits. */
function checkResponseSchema(request: ChatCompletionRequest): void {
  const format = request.response_format;
  if (format?.type !== 'json_schema' || format.json_schema.schema == null) return;
  const problem = clientSchemaProblem(format.json_schema.schema);
  if (problem !== undefined)
    throw new ProxyError(
      'INVALID_REQUEST',
      `Invalid value for 'response_format.json_schema.schema': ${problem}.`,
      {
        param: 'response_format.json_schema.schema',
      },
    );
}

/** Parses and validates an embeddings body. */
export function parseEmbeddingsRequest(body: Buffer): EmbeddingsRequest {
  return validate(embeddingsRequest, parseJson(body));
}

/**
 * How deep objects and arrays may nest in a request body. Real requests nest a few levels (a
 * tool's JSON schema perhaps a dozen); the cache key, the adapters and the sensitivity scan
 * walk the body, and 10,000 nested arrays would overflow a recursive walk's stack.
 */
export const MAX_REQUEST_DEPTH = 64;

function parseJson(body: Buffer): unknown {
  if (body.length === 0)
    throw new ProxyError('INVALID_JSON', 'the request body is empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProxyError(
      'INVALID_JSON',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (depthOf(value, MAX_REQUEST_DEPTH + 1) > MAX_REQUEST_DEPTH)
    throw new ProxyError(
      'INVALID_REQUEST',
      `the request body nests objects and arrays deeper than ${MAX_REQUEST_DEPTH} levels`,
    );
  return value;
}

function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProxyError('INVALID_REQUEST', 'the request body must be a JSON object');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue === undefined ? '' : formatPath(issue.path);
  const message = issue === undefined ? 'Invalid request.' : describeIssue(issue, param, value);
  throw new ProxyError('INVALID_REQUEST', message, { param });
}

/**
 * What is wrong, in OpenAI's words: a field that is absent is missing; one that is there with
 * the wrong type says which type it needs and which it has (`model: 5` is not "missing").
 */
function describeIssue(issue: z.core.$ZodIssue, param: string, body: unknown): string {
  const present = valueAt(body, issue.path);
  if (present === undefined) return `Missing required parameter: '${param}'.`;
  const expected = expectedTypes(issue);
  if (expected.length > 0)
    return `Invalid type for '${param}': expected ${expected.join(' or ')}, but got ${typeName(present)} instead.`;
  return `Invalid value for '${param}': ${issue.message}.`;
}

/** The types an invalid_type issue (or a union of them) expected, as `a string`, `an array`. */
function expectedTypes(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'invalid_type') return [article(issue.expected)];
  if (issue.code !== 'invalid_union') return [];
  const alternatives = issue.errors.map((errors) => errors[0]);
  if (alternatives.length === 0) return [];
  if (!alternatives.every((e) => e?.code === 'invalid_type' && e.path.length === 0)) return [];
  return alternatives.map((e) => article((e as z.core.$ZodIssueInvalidType).expected));
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return article(typeof value);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = body;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
