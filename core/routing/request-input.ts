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
    lastUserText: facts.lastUserText,
    userTurns: facts.userTurns,
    messageCount: request.messages.length,
    allText: allTextOf(request),
    headers: flattenHeaders(headers),
    metadata: stringValues(request.metadata),
  };
}

/**
 * Every message's text, system and assistant turns and tool arguments included: sensitivity
 * patterns must see all of it, not only what the user typed last.
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
