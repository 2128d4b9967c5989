import { z } from 'zod';

// The request schema is tolerant where OpenAI is: every object is loose, so fields we do not model
// (store, service_tier, prediction, audio, web_search_options, vendor extensions such as
// cache_control on content parts) pass through to OpenAI-compatible upstreams. Known fields are
// type-checked so a wrong type is a 400 with a path, not an upstream surprise.

/** A text content part. */
export const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });

/** An image content part: an http(s) URL or a `data:` URL with base64 bytes. */
export const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high']).nullish(),
  }),
});

/** An audio content part: base64 bytes and their format (wav, mp3). */
export const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});

/** A file content part: inline bytes as a `data:` URL, or an uploaded file id. */
export const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({
    file_data: z.string().nullish(),
    file_id: z.string().nullish(),
    filename: z.string().nullish(),
  }),
});

/** An assistant refusal content part. */
export const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** A content part of a user message. */
export const userContentPart = z.discriminatedUnion('type', [
  textPart,
  imagePart,
  audioPart,
  filePart,
]);

const textContent = z.union([z.string(), z.array(textPart)]);

/** A tool call made by the assistant. */
export const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const systemMessage = z.looseObject({
  role: z.literal('system'),
  content: textContent,
  name: z.string().nullish(),
});
const developerMessage = z.looseObject({
  role: z.literal('developer'),
  content: textContent,
  name: z.string().nullish(),
});
const userMessage = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPart)]),
  name: z.string().nullish(),
});
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))])
    .nullish(),
  name: z.string().nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
});
const toolMessage = z.looseObject({
  role: z.literal('tool'),
  content: textContent,
  tool_call_id: z.string(),
});

/** One message of the conversation, by role. */
export const chatMessage = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);

/** A function the model may call; `parameters` is a JSON Schema object. */
export const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

/** A custom (free-form input) tool; only OpenAI itself serves these. */
export const customTool = z.looseObject({
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string().min(1), description: z.string().nullish() }),
});

/** A tool offered to the model. */
export const tool = z.discriminatedUnion('type', [functionTool, customTool]);

/** Which tool the model must (or must not) call. */
export const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
    z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) }),
    z.looseObject({
      type: z.literal('allowed_tools'),
      allowed_tools: z.looseObject({
        mode: z.enum(['auto', 'required']),
        tools: z.array(z.record(z.string(), z.unknown())),
      }),
    }),
  ]),
]);

/** The shape the answer must take. */
export const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const tokenCount = z.int().min(0);

/** The body of `POST /v1/chat/completions`. Unknown top-level fields pass through. */
export const chatCompletionRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessage).min(1),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: tokenCount.nullish(),
  max_completion_tokens: tokenCount.nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  n: z.int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.int().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  reasoning_effort: z.string().nullish(),
  modalities: z.array(z.string()).nullish(),
});

/** A chat completion request as parsed (unknown fields kept). */
export type ChatCompletionRequest = z.output<typeof chatCompletionRequest>;
/** One message of a request. */
export type ChatMessage = z.output<typeof chatMessage>;
/** A user content part. */
export type UserContentPart = z.output<typeof userContentPart>;
/** A text content part. */
export type TextPart = z.output<typeof textPart>;
/** An assistant tool call. */
export type ToolCall = z.output<typeof toolCall>;
/** A tool definition. */
export type Tool = z.output<typeof tool>;
/** A tool choice. */
export type ToolChoice = z.output<typeof toolChoice>;
/** A response format. */
export type ResponseFormat = z.output<typeof responseFormat>;
