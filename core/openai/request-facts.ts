import type { ModelCapability } from '../api/model-provider.ts';
import type { ChatCompletionRequest, ChatMessage, ResponseFormat } from './chat-request.ts';
import type { EmbeddingsRequest } from './embeddings.ts';
import { estimateTextTokens } from './token-estimate.ts';

/** What the router needs to know about a chat request, computed in one walk over it. */
export interface RequestFacts {
  /** Estimated prompt tokens (cl100k-like), message overheads, images and tools included. */
  promptTokens: number;
  /** The request offers tools, forces a tool choice, or carries tool calls or results. */
  hasTools: boolean;
  /** Some user message has an image part. */
  hasImages: boolean;
  /** `response_format.type`, `text` when absent. */
  responseFormat: ResponseFormat['type'];
  /** The text of every user message, joined by newlines, for keyword and pattern rules. */
  userText: string;
  /** The text of the last user message: what the difficulty scorer reads. */
  lastUserText: string;
  /** How many user messages the conversation has. */
  userTurns: number;
  /** Capabilities a model needs to serve the request, in MODEL_CAPABILITIES order. */
  requiredCapabilities: ModelCapability[];
}

/**
 * Tokens OpenAI adds per message (role and separators) and once per reply, after its cookbook's
 * count for the gpt-3.5/gpt-4 chat format.
 */
export const TOKENS_PER_MESSAGE = 3;
/** Tokens OpenAI adds for a message's `name`. */
export const TOKENS_PER_NAME = 1;
/** Tokens that prime the assistant's reply. */
export const REPLY_PRIMING_TOKENS = 3;
/**
 * Tokens of one image without its dimensions: OpenAI's tile formula (85 + 170 per 512px tile)
 * for a 1024×1024 image at `high`/`auto` detail; `low` detail is 85.
 */
export const IMAGE_TOKENS = 765;
/** Tokens of a low-detail image. */
export const LOW_DETAIL_IMAGE_TOKENS = 85;
/** Tokens per byte of inline audio or file data (base64 decoded), a rough average. */
export const TOKENS_PER_MEDIA_BYTE = 1 / 32;
/** Tokens of one tool definition beyond its JSON text (OpenAI wraps it in a namespace). */
export const TOKENS_PER_TOOL = 8;

/** Computes every fact of a request in one walk. */
export function requestFacts(request: ChatCompletionRequest): RequestFacts {
  let promptTokens = REPLY_PRIMING_TOKENS + toolsTokens(request);
  let hasImages = false;
  let hasToolHistory = false;
  const userTexts: string[] = [];
  for (const message of request.messages) {
    promptTokens += TOKENS_PER_MESSAGE + messageTokens(message);
    if (message.role === 'user')
      hasImages = collectUserText(message.content, userTexts) || hasImages;
    else if (message.role === 'tool') hasToolHistory = true;
    else if (message.role === 'assistant' && (message.tool_calls?.length ?? 0) > 0) {
      hasToolHistory = true;
    }
  }
  const hasTools = (request.tools?.length ?? 0) > 0 || hasToolHistory;
  const format = responseFormatType(request);
  return {
    promptTokens,
    hasTools,
    hasImages,
    responseFormat: format,
    userText: userTexts.join('\n'),
    lastUserText: lastUserText(request.messages),
    userTurns: request.messages.filter((m) => m.role === 'user').length,
    requiredCapabilities: capabilitiesFor(hasTools, format, hasImages, request.stream === true),
  };
}

/** The text parts of the last user message, joined by newlines; '' when there is none. */
function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    const texts: string[] = [];
    collectUserText(message.content, texts);
    return texts.join('\n');
  }
  return '';
}

/** Appends the text of a user message's content; returns whether it holds an image. */
function collectUserText(content: UserContent, texts: string[]): boolean {
  if (typeof content === 'string') {
    texts.push(content);
    return false;
  }
  let hasImage = false;
  for (const part of content) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'image_url') hasImage = true;
  }
  return hasImage;
}

function capabilitiesFor(
  tools: boolean,
  format: ResponseFormat['type'],
  vision: boolean,
  streaming: boolean,
): ModelCapability[] {
  const capabilities: ModelCapability[] = [];
  if (tools) capabilities.push('tools');
  if (format !== 'text') capabilities.push('json');
  if (vision) capabilities.push('vision');
  if (streaming) capabilities.push('streaming');
  return capabilities;
}

type UserContent = Extract<ChatMessage, { role: 'user' }>['content'];

/** Estimated prompt tokens of a request (see {@link requestFacts}). */
export function estimatePromptTokens(request: ChatCompletionRequest): number {
  let tokens = REPLY_PRIMING_TOKENS + toolsTokens(request);
  for (const message of request.messages) tokens += TOKENS_PER_MESSAGE + messageTokens(message);
  return tokens;
}

/** `response_format.type`, `text` when absent. */
export function responseFormatType(request: ChatCompletionRequest): ResponseFormat['type'] {
  return request.response_format?.type ?? 'text';
}

/** Estimated tokens of one message's content, name and tool calls (without the overhead). */
export function messageTokens(message: ChatMessage): number {
  let tokens = 0;
  if ('name' in message && typeof message.name === 'string') {
    tokens += TOKENS_PER_NAME + estimateTextTokens(message.name);
  }
  const content = message.content;
  if (typeof content === 'string') tokens += estimateTextTokens(content);
  else if (Array.isArray(content)) {
    for (const part of content) tokens += partTokens(part);
  }
  if (message.role === 'assistant' && message.tool_calls) {
    for (const call of message.tool_calls) {
      tokens +=
        TOKENS_PER_MESSAGE +
        estimateTextTokens(call.function.name) +
        estimateTextTokens(call.function.arguments);
    }
  }
  return tokens;
}

type AnyPart = Exclude<ChatMessage['content'], string | null | undefined>[number];

function partTokens(part: AnyPart): number {
  switch (part.type) {
    case 'text':
      return estimateTextTokens(part.text);
    case 'refusal':
      return estimateTextTokens(part.refusal);
    case 'image_url':
      return part.image_url.detail === 'low' ? LOW_DETAIL_IMAGE_TOKENS : IMAGE_TOKENS;
    case 'input_audio':
      return Math.ceil(((part.input_audio.data.length * 3) / 4) * TOKENS_PER_MEDIA_BYTE);
    case 'file':
      return Math.ceil(((part.file.file_data?.length ?? 0) * 3 * TOKENS_PER_MEDIA_BYTE) / 4);
  }
}

function toolsTokens(request: ChatCompletionRequest): number {
  if (!request.tools) return 0;
  let tokens = 0;
  for (const tool of request.tools) {
    // Tools are rare and small next to messages; their JSON text is a fair proxy for what the
    // provider renders them as.
    tokens += TOKENS_PER_TOOL + estimateTextTokens(JSON.stringify(tool));
  }
  return tokens;
}

/** Estimated tokens of an embeddings input: text through the estimator, token arrays as is. */
export function estimateEmbeddingInputTokens(input: EmbeddingsRequest['input']): number {
  if (typeof input === 'string') return estimateTextTokens(input);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += estimateTextTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}
