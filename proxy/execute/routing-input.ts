import type { IncomingHttpHeaders } from 'node:http';
import type { ModelCapability } from '../../core/api/model-provider.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import { estimateTextTokens } from '../../core/openai/token-estimate.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';

/** Tokens each message adds beyond its text (role, separators), as OpenAI counts them. */
const PER_MESSAGE_TOKENS = 4;
/** Tokens an image adds to the prompt estimate (a mid-size image at "auto" detail). */
const PER_IMAGE_TOKENS = 800;

/** Extracts what routing needs from a request, in one pass over its messages. */
export function routingInputFor(
  request: ChatCompletionRequest,
  headers: IncomingHttpHeaders,
): RoutingInput {
  let userText = '';
  let allText = '';
  let images = 0;
  let extraTokens = 0;
  for (const message of request.messages) {
    extraTokens += PER_MESSAGE_TOKENS;
    const content = message.content;
    if (typeof content === 'string') {
      allText += `${content}\n`;
      if (message.role === 'user') userText += `${content}\n`;
      continue;
    }
    for (const part of content ?? []) {
      if (part.type === 'text') {
        allText += `${part.text}\n`;
        if (message.role === 'user') userText += `${part.text}\n`;
      } else if (part.type === 'image_url') images += 1;
    }
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) allText += `${call.function.arguments}\n`;
    }
  }
  const hasTools = (request.tools?.length ?? 0) > 0;
  if (hasTools) extraTokens += estimateTextTokens(JSON.stringify(request.tools));
  const responseFormat = request.response_format?.type;
  const required: ModelCapability[] = [];
  if (hasTools) required.push('tools');
  if (responseFormat === 'json_object' || responseFormat === 'json_schema') required.push('json');
  if (images > 0) required.push('vision');
  if (request.stream === true) required.push('streaming');
  const maxOutput = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  return {
    promptTokens: estimateTextTokens(allText) + extraTokens + images * PER_IMAGE_TOKENS,
    maxOutputTokens: typeof maxOutput === 'number' ? maxOutput : undefined,
    requiredCapabilities: required,
    hasTools,
    hasImages: images > 0,
    responseFormat,
    userTextLower: userText.toLowerCase(),
    allText,
    headers: flattenHeaders(headers),
    metadata: stringValues(request.metadata),
  };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function stringValues(metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata))
    if (typeof value === 'string') out[key] = value;
  return out;
}
