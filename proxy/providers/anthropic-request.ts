import type {
  ChatCompletionRequest,
  ChatMessage,
  ToolChoice,
  UserContentPart,
} from '../../core/openai/types.ts';
import type { UpstreamTarget } from './adapter.ts';
import { AdapterError } from './adapter-error.ts';
import { isHttpURL, parseDataURL } from './data-url.ts';
import { jsonInstruction } from './json-instruction.ts';
import { toolInput } from './tool-arguments.ts';

/** A content block of the Anthropic Messages API, as we send it. */
export type AnthropicBlock = Record<string, unknown> & { type: string };

/** A message of the Anthropic Messages API. */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

/** The body of `POST /v1/messages`. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: AnthropicBlock[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: Record<string, unknown>;
  metadata?: { user_id: string };
  stream?: boolean;
}

/**
 * Translates an OpenAI chat request into an Anthropic Messages request:
 * - system and developer messages, wherever they stand, become `system` text blocks in order
 *   (Anthropic has one system prompt);
 * - user, assistant and tool messages become content blocks; tool results become `tool_result`
 *   blocks of a user message, and consecutive messages of one role merge into one message, as
 *   Anthropic wants all results of a parallel tool call in the next user turn;
 * - images: `data:` URLs become base64 sources, http(s) URLs url sources; PDFs sent as `file`
 *   parts become document blocks; audio and uploaded file ids are unsupported;
 * - `cache_control` on a content part (an extension some OpenAI clients send) is kept, so prompt
 *   caching works through the proxy;
 * - `response_format` json_object/json_schema becomes a system instruction (Anthropic has no JSON
 *   mode): adequate for well-behaved models, not a guarantee; route strict-schema traffic to
 *   providers that enforce schemas;
 * - `max_tokens` is required: max_completion_tokens ?? max_tokens ?? the model's maximum, capped at
 *   the model's maximum; temperature is clamped to Anthropic's 0–1; `stop` → stop_sequences;
 *   `user` → metadata.user_id; `name` fields are dropped (Anthropic has none).
 */
export function anthropicRequest(
  request: ChatCompletionRequest,
  target: UpstreamTarget,
): AnthropicRequest {
  if ((request.n ?? 1) > 1)
    throw new AdapterError('unsupported', 'Anthropic does not support n > 1');
  const system: AnthropicBlock[] = [];
  const messages: AnthropicMessage[] = [];
  request.messages.forEach((message, i) => translateMessage(message, i, system, messages));
  const instruction = jsonInstruction(request.response_format);
  if (instruction !== undefined) system.push({ type: 'text', text: instruction });
  if (messages.length === 0) {
    throw new AdapterError('unsupported', 'Anthropic needs at least one user or assistant message');
  }
  const requested = request.max_completion_tokens ?? request.max_tokens ?? target.maxOutputTokens;
  const body: AnthropicRequest = {
    model: target.upstreamModel,
    max_tokens: Math.max(1, Math.min(requested, target.maxOutputTokens)),
    messages,
  };
  if (system.length > 0) body.system = system;
  addSampling(body, request);
  addTools(body, request);
  if (typeof request.user === 'string' && request.user !== '')
    body.metadata = { user_id: request.user };
  if (request.stream === true) body.stream = true;
  return body;
}

function addSampling(body: AnthropicRequest, request: ChatCompletionRequest): void {
  const stop = request.stop;
  if (typeof stop === 'string') body.stop_sequences = [stop];
  else if (Array.isArray(stop) && stop.length > 0) body.stop_sequences = stop;
  if (typeof request.temperature === 'number')
    body.temperature = Math.min(1, Math.max(0, request.temperature));
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
}

function addTools(body: AnthropicRequest, request: ChatCompletionRequest): void {
  const tools = request.tools ?? [];
  if (tools.length === 0) return;
  body.tools = tools.map((tool, i) => {
    if (tool.type !== 'function') {
      throw new AdapterError('unsupported', `tools[${i}]: Anthropic supports only function tools`);
    }
    const fn = tool.function;
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      input_schema: fn.parameters ?? { type: 'object', properties: {} },
    };
  });
  const choice = toolChoice(request.tool_choice);
  if (request.parallel_tool_calls === false && choice.type !== 'none') {
    choice.disable_parallel_tool_use = true;
  }
  if (request.tool_choice !== undefined && request.tool_choice !== null) body.tool_choice = choice;
  else if (choice.disable_parallel_tool_use === true) body.tool_choice = choice;
}

function toolChoice(choice: ToolChoice | null | undefined): Record<string, unknown> {
  if (choice === undefined || choice === null || choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  if (choice.type === 'function') return { type: 'tool', name: choice.function.name };
  throw new AdapterError('unsupported', `tool_choice ${choice.type} is not supported by Anthropic`);
}

function translateMessage(
  message: ChatMessage,
  i: number,
  system: AnthropicBlock[],
  messages: AnthropicMessage[],
): void {
  switch (message.role) {
    case 'system':
    case 'developer':
      system.push(...textBlocks(message.content));
      return;
    case 'user':
      append(messages, 'user', userBlocks(message.content, i));
      return;
    case 'assistant':
      append(messages, 'assistant', assistantBlocks(message, i));
      return;
    case 'tool':
      append(messages, 'user', [
        {
          type: 'tool_result',
          tool_use_id: message.tool_call_id,
          content:
            typeof message.content === 'string'
              ? message.content
              : message.content.map((p) => p.text).join(''),
        },
      ]);
      return;
  }
}

/** Adds blocks to the last message when it has the same role (Anthropic alternates roles). */
function append(
  messages: AnthropicMessage[],
  role: 'user' | 'assistant',
  blocks: AnthropicBlock[],
): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (last?.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

/** Text blocks of a string or text parts; empty texts are dropped (Anthropic rejects them). */
function textBlocks(
  content: string | readonly { text: string; [k: string]: unknown }[],
): AnthropicBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicBlock[] = [];
  for (const part of content) {
    if (part.text === '') continue;
    blocks.push(withCacheControl({ type: 'text', text: part.text }, part));
  }
  return blocks;
}

function userBlocks(content: string | UserContentPart[], i: number): AnthropicBlock[] {
  if (typeof content === 'string') return textBlocks(content);
  const blocks: AnthropicBlock[] = [];
  content.forEach((part, j) => {
    if (part.type !== 'text' || part.text !== '') {
      blocks.push(userBlock(part, `messages[${i}].content[${j}]`));
    }
  });
  return blocks;
}

function userBlock(part: UserContentPart, path: string): AnthropicBlock {
  switch (part.type) {
    case 'text':
      return withCacheControl({ type: 'text', text: part.text }, part);
    case 'image_url':
      return withCacheControl(
        { type: 'image', source: imageSource(part.image_url.url, path) },
        part,
      );
    case 'file':
      return withCacheControl(documentBlock(part.file.file_data, path), part);
    case 'input_audio':
      throw new AdapterError('unsupported', `${path}: Anthropic does not accept audio input`);
  }
}

function imageSource(url: string, path: string): Record<string, string> {
  const data = parseDataURL(url);
  if (data !== undefined) return { type: 'base64', media_type: data.mediaType, data: data.data };
  if (isHttpURL(url)) return { type: 'url', url };
  throw new AdapterError(
    'invalid_request',
    `${path}: image_url.url must be an http(s) or base64 data URL`,
  );
}

function documentBlock(fileData: string | null | undefined, path: string): AnthropicBlock {
  const data = typeof fileData === 'string' ? parseDataURL(fileData) : undefined;
  if (data?.mediaType !== 'application/pdf') {
    throw new AdapterError(
      'unsupported',
      `${path}: Anthropic accepts files only as base64 PDF data URLs`,
    );
  }
  return {
    type: 'document',
    source: { type: 'base64', media_type: data.mediaType, data: data.data },
  };
}

function withCacheControl(block: AnthropicBlock, part: Record<string, unknown>): AnthropicBlock {
  const cacheControl = part['cache_control'];
  if (typeof cacheControl === 'object' && cacheControl !== null) block.cache_control = cacheControl;
  return block;
}

function assistantBlocks(
  message: Extract<ChatMessage, { role: 'assistant' }>,
  i: number,
): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = [];
  const content = message.content;
  if (typeof content === 'string') blocks.push(...textBlocks(content));
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text') blocks.push(...textBlocks([part]));
  }
  (message.tool_calls ?? []).forEach((call, j) => {
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: toolInput(
        call.function.arguments,
        `messages[${i}].tool_calls[${j}].function.arguments`,
      ),
    });
  });
  return blocks;
}
