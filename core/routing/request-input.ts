import { forwardedStrings } from '../openai/forwarded-strings.ts';
import { requestFacts } from '../openai/request-facts.ts';
import type { ChatCompletionRequest } from '../openai/types.ts';
import type { RoutingInput } from './routing-input.ts';

/** Request headers as node:http gives them, or as a CLI builds them. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Extracts what routing needs from a request: the request facts plus headers and metadata. The
 * proxy, `switchyard explain` and `switchyard eval` all call this, so they decide alike.
 */
export function routingInputFor(
  request: ChatCompletionRequest,
  headers: RequestHeaders,
): RoutingInput {
  const facts = requestFacts(request);
  const maxOutput = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  return {
    promptTokens: facts.promptTokens,
    maxOutputTokens: typeof maxOutput === 'number' ? maxOutput : undefined,
    requiredCapabilities: facts.requiredCapabilities,
    hasTools: facts.hasTools,
    hasImages: facts.hasImages,
    responseFormat: facts.responseFormat,
    userTextLower: facts.userText.toLowerCase(),
    allText: allTextOf(request),
    forwardedText: once(() => forwardedStrings(request)),
    headers: flattenHeaders(headers),
    metadata: stringValues(request.metadata),
  };
}

/** Runs `compute` on the first call only: most requests never need the forwarded text. */
function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/**
 * Every message's text, system and assistant turns and tool arguments included, for rule
 * patterns (sensitivity patterns read every forwarded string instead: `forwardedText`).
 */
function allTextOf(request: ChatCompletionRequest): string {
  const parts: string[] = [];
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') parts.push(content);
    else if (Array.isArray(content))
      for (const part of content) if (part.type === 'text') parts.push(part.text);
    if (message.role === 'assistant')
      for (const call of message.tool_calls ?? []) parts.push(call.function.arguments);
  }
  return parts.join('\n');
}

function flattenHeaders(headers: RequestHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = typeof value === 'string' || value === undefined ? value : value.join(', ');
  return out;
}

function stringValues(metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata))
    if (typeof value === 'string') out[key] = value;
  return out;
}
