import { z } from 'zod';

/** Why generation stopped, in OpenAI's vocabulary. */
export const FINISH_REASONS = [
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'function_call',
] as const;
/** A finish reason. */
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Token usage as OpenAI reports it on the wire. */
export const wireUsage = z.looseObject({
  prompt_tokens: z.int().min(0),
  completion_tokens: z.int().min(0),
  total_tokens: z.int().min(0),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.int().min(0).nullish() }).nullish(),
  completion_tokens_details: z
    .looseObject({ reasoning_tokens: z.int().min(0).nullish() })
    .nullish(),
});
/** OpenAI's usage object. */
export type WireUsage = z.output<typeof wireUsage>;

const responseToolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/** The body of a non-streaming chat completion. */
export const chatCompletion = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.int().min(0),
      message: z.looseObject({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        refusal: z.string().nullish(),
        tool_calls: z.array(responseToolCall).nullish(),
      }),
      finish_reason: z.enum(FINISH_REASONS),
      logprobs: z.unknown().optional(),
    }),
  ),
  usage: wireUsage.optional(),
  system_fingerprint: z.string().nullish(),
});
/** A chat completion. */
export type ChatCompletion = z.output<typeof chatCompletion>;
/** One choice of a chat completion. */
export type ChatCompletionChoice = ChatCompletion['choices'][number];

const toolCallDelta = z.looseObject({
  index: z.int().min(0),
  id: z.string().optional(),
  type: z.literal('function').optional(),
  function: z
    .looseObject({ name: z.string().optional(), arguments: z.string().optional() })
    .optional(),
});

/** One `data:` event of a streamed chat completion. */
export const chatCompletionChunk = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.int().min(0),
      delta: z.looseObject({
        role: z.literal('assistant').optional(),
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        tool_calls: z.array(toolCallDelta).optional(),
      }),
      finish_reason: z.enum(FINISH_REASONS).nullable(),
      logprobs: z.unknown().optional(),
    }),
  ),
  usage: wireUsage.nullish(),
  system_fingerprint: z.string().nullish(),
});
/** A chat completion chunk. */
export type ChatCompletionChunk = z.output<typeof chatCompletionChunk>;
/** One choice of a chunk. */
export type ChunkChoice = ChatCompletionChunk['choices'][number];
/** A tool call fragment in a chunk. */
export type ToolCallDelta = z.output<typeof toolCallDelta>;
