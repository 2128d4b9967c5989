import type { z } from 'zod';
import { chatCompletionRequest } from '../../core/openai/chat-request.ts';
import { embeddingsRequest } from '../../core/openai/embeddings.ts';
import { clientSchemaProblem, depthOf } from '../../core/openai/schema-limits.ts';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../core/openai/types.ts';
import { ProxyError } from './proxy-error.ts';

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
  const message =
    issue?.code === 'invalid_type' && issue.input === undefined
      ? `Missing required parameter: '${param}'.`
      : `Invalid value for '${param}': ${issue?.message ?? 'invalid'}.`;
  throw new ProxyError('INVALID_REQUEST', message, { param });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
