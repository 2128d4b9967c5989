import type {
  ChatCompletionRequest,
  ChatMessage,
  ToolChoice,
  UserContentPart,
} from '../../core/openai/types.ts';
import type { UpstreamTarget } from './adapter.ts';
import { AdapterError } from './adapter-error.ts';
import { isHttpURL, parseDataURL } from './data-url.ts';
import { toGeminiSchema } from './gemini-schema.ts';
import { toolInput } from './tool-arguments.ts';

/** A part of Gemini content, as we send it. */
export type GeminiPart = Record<string, unknown>;

/** One turn of a Gemini conversation. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The body of `generateContent` / `streamGenerateContent`. */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: Record<string, unknown>[] }[];
  toolConfig?: { functionCallingConfig: { mode: string; allowedFunctionNames?: string[] } };
  generationConfig?: Record<string, unknown>;
}

/**
 * Translates an OpenAI chat request into a Gemini `generateContent` request:
 * - system and developer messages become `systemInstruction`;
 * - user messages → role `user` (text, `inlineData` for data-URL images, audio and files,
 *   `fileData` for http(s) image URLs); assistant messages → role `model` with `functionCall`
 *   parts; tool messages → `functionResponse` parts of a user turn, named after the earlier tool
 *   call with that id (Gemini matches results by name). Consecutive turns of one role merge, so
 *   the results of a parallel call travel together;
 * - tools → one `functionDeclarations` tool, parameters converted to Gemini's schema subset;
 *   tool_choice → `functionCallingConfig` (none → NONE, auto → AUTO, required → ANY, a named
 *   function → ANY restricted to it);
 * - response_format json_object → responseMimeType application/json, json_schema → plus
 *   responseSchema; max tokens, temperature, top_p, stop, n, seed and penalties →
 *   generationConfig.
 */
export function geminiRequest(
  request: ChatCompletionRequest,
  target: UpstreamTarget,
): GeminiRequest {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  request.messages.forEach((message, i) =>
    translateMessage(message, i, { system, contents, toolNames }),
  );
  if (contents.length === 0) {
    throw new AdapterError('unsupported', 'Gemini needs at least one user or assistant message');
  }
  const body: GeminiRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  addTools(body, request);
  const config = generationConfig(request, target);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

interface Translation {
  system: { text: string }[];
  contents: GeminiContent[];
  /** Function name by tool call id, from earlier assistant messages. */
  toolNames: Map<string, string>;
}

function translateMessage(message: ChatMessage, i: number, t: Translation): void {
  switch (message.role) {
    case 'system':
    case 'developer':
      for (const text of texts(message.content)) t.system.push({ text });
      return;
    case 'user':
      append(
        t.contents,
        'user',
        typeof message.content === 'string'
          ? textParts(message.content)
          : message.content.map((part, j) => userPart(part, `messages[${i}].content[${j}]`)),
      );
      return;
    case 'assistant':
      append(t.contents, 'model', modelParts(message, i, t.toolNames));
      return;
    case 'tool': {
      const name = t.toolNames.get(message.tool_call_id);
      if (name === undefined) {
        throw new AdapterError(
          'invalid_request',
          `messages[${i}].tool_call_id ${message.tool_call_id} matches no earlier assistant tool call`,
        );
      }
      const text = texts(message.content).join('');
      append(t.contents, 'user', [
        { functionResponse: { name, response: functionResponse(text) } },
      ]);
      return;
    }
  }
}

function append(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function texts(content: string | readonly { text: string }[]): string[] {
  if (typeof content === 'string') return content === '' ? [] : [content];
  return content.map((part) => part.text).filter((text) => text !== '');
}

function textParts(content: string): GeminiPart[] {
  return content === '' ? [] : [{ text: content }];
}

function userPart(part: UserContentPart, path: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return mediaPart(part.image_url.url, path);
    case 'input_audio':
      return {
        inlineData: {
          mimeType: audioMimeType(part.input_audio.format),
          data: part.input_audio.data,
        },
      };
    case 'file': {
      const data =
        typeof part.file.file_data === 'string' ? parseDataURL(part.file.file_data) : undefined;
      if (data === undefined) {
        throw new AdapterError(
          'unsupported',
          `${path}: Gemini accepts files only as base64 data URLs`,
        );
      }
      return { inlineData: { mimeType: data.mediaType, data: data.data } };
    }
  }
}

function mediaPart(url: string, path: string): GeminiPart {
  const data = parseDataURL(url);
  if (data !== undefined) return { inlineData: { mimeType: data.mediaType, data: data.data } };
  if (isHttpURL(url)) return { fileData: { mimeType: imageMimeType(url), fileUri: url } };
  throw new AdapterError(
    'invalid_request',
    `${path}: image_url.url must be an http(s) or base64 data URL`,
  );
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** Gemini's fileData needs a MIME type; the URL's extension is all we know (JPEG otherwise). */
function imageMimeType(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return IMAGE_TYPES[extension] ?? 'image/jpeg';
}

function audioMimeType(format: string): string {
  return format === 'mp3' ? 'audio/mp3' : `audio/${format}`;
}

function modelParts(
  message: Extract<ChatMessage, { role: 'assistant' }>,
  i: number,
  toolNames: Map<string, string>,
): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const content = message.content;
  if (typeof content === 'string') parts.push(...textParts(content));
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text') parts.push(...textParts(part.text));
  }
  (message.tool_calls ?? []).forEach((call, j) => {
    toolNames.set(call.id, call.function.name);
    const args = toolInput(
      call.function.arguments,
      `messages[${i}].tool_calls[${j}].function.arguments`,
    );
    parts.push({ functionCall: { name: call.function.name, args } });
  });
  return parts;
}

/** Gemini wants an object as a function's response: JSON objects pass, anything else is wrapped. */
function functionResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Not JSON: plain text results are common.
  }
  return { content: text };
}

function addTools(body: GeminiRequest, request: ChatCompletionRequest): void {
  const tools = request.tools ?? [];
  if (tools.length === 0) return;
  const declarations = tools.map((tool, i) => {
    if (tool.type !== 'function') {
      throw new AdapterError('unsupported', `tools[${i}]: Gemini supports only function tools`);
    }
    const fn = tool.function;
    const declaration: Record<string, unknown> = { name: fn.name };
    if (typeof fn.description === 'string') declaration['description'] = fn.description;
    // A function without parameters must omit them: Gemini rejects an empty OBJECT schema.
    const properties = (fn.parameters as { properties?: unknown } | null | undefined)?.properties;
    if (
      typeof properties === 'object' &&
      properties !== null &&
      Object.keys(properties).length > 0
    ) {
      declaration['parameters'] = toGeminiSchema(fn.parameters);
    }
    return declaration;
  });
  body.tools = [{ functionDeclarations: declarations }];
  const config = functionCallingConfig(request.tool_choice);
  if (config !== undefined) body.toolConfig = { functionCallingConfig: config };
}

function functionCallingConfig(
  choice: ToolChoice | null | undefined,
): { mode: string; allowedFunctionNames?: string[] } | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'required') return { mode: 'ANY' };
  if (choice.type === 'function')
    return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
  throw new AdapterError('unsupported', `tool_choice ${choice.type} is not supported by Gemini`);
}

function generationConfig(
  request: ChatCompletionRequest,
  target: UpstreamTarget,
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') {
    config['maxOutputTokens'] = Math.max(1, Math.min(maxTokens, target.maxOutputTokens));
  }
  const stop = request.stop;
  if (typeof stop === 'string') config['stopSequences'] = [stop];
  else if (Array.isArray(stop) && stop.length > 0) config['stopSequences'] = stop;
  if (typeof request.n === 'number' && request.n > 1) config['candidateCount'] = request.n;
  const numbers: [string, number | null | undefined][] = [
    ['temperature', request.temperature],
    ['topP', request.top_p],
    ['seed', request.seed],
    ['presencePenalty', request.presence_penalty],
    ['frequencyPenalty', request.frequency_penalty],
  ];
  for (const [name, value] of numbers) if (typeof value === 'number') config[name] = value;
  addResponseFormat(config, request.response_format);
  return config;
}

function addResponseFormat(
  config: Record<string, unknown>,
  format: ChatCompletionRequest['response_format'],
): void {
  if (format?.type === 'json_object' || format?.type === 'json_schema') {
    config['responseMimeType'] = 'application/json';
  }
  if (format?.type === 'json_schema' && format.json_schema.schema) {
    config['responseSchema'] = toGeminiSchema(format.json_schema.schema);
  }
}
