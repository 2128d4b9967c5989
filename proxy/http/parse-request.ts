import type { z } from 'zod';
import { chatCompletionRequest } from '../../core/openai/chat-request.ts';
import { embeddingsRequest } from '../../core/openai/embeddings.ts';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../core/openai/types.ts';
import { ProxyError } from '../errors/proxy-error.ts';

/** Parses and validates a chat completion body; errors name the offending field like OpenAI does. */
export function parseChatRequest(body: Buffer): ChatCompletionRequest {
  return validate(chatCompletionRequest, parseJson(body));
}

/** Parses and validates an embeddings body. */
export function parseEmbeddingsRequest(body: Buffer): EmbeddingsRequest {
  return validate(embeddingsRequest, parseJson(body));
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0)
    throw new ProxyError('INVALID_JSON', 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProxyError(
      'INVALID_JSON',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
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
