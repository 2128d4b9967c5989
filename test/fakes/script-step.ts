import { z } from 'zod';

/** The finish reasons a step can force, in OpenAI's terms; each format maps them to its own. */
export type FakeFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** A tool call the fake answers with. `arguments` is an object or a JSON string. */
export interface ScriptToolCall {
  name: string;
  /** Default `{}`. */
  arguments?: Record<string, unknown> | string;
  /** Default: a provider-shaped id (`call_…`, `toolu_…`). */
  id?: string;
}

/**
 * Usage to report instead of the estimate, with the proxy's normalised meaning (core/cost/usage.ts):
 * `inputTokens` counts every prompt token including cached and cache-written ones, `outputTokens`
 * every generated token including reasoning. Each format converts to its own fields (Anthropic's
 * `input_tokens` excludes cache reads and writes; Gemini's `candidatesTokenCount` excludes thoughts).
 */
export interface ScriptUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/**
 * One scripted behaviour for one request. Every field is optional; an empty step is a normal,
 * successful answer. A plain JSON object, so it can also be sent to `POST /__fake/script` or in
 * the `x-fake-script` request header.
 */
export interface ScriptStep {
  /** Answer with this HTTP status and the provider's native error body (when >= 400). */
  status?: number;
  /** Sets `Retry-After` on error answers (and Gemini's RetryInfo). */
  retryAfterSeconds?: number;
  /** Delay before the response headers. */
  latencyMs?: number;
  /** Streaming: delay after the headers before the first content chunk. */
  ttftMs?: number;
  /** Streaming: delay between content chunks. */
  chunkDelayMs?: number;
  /** The assistant text; default: a deterministic reply derived from the prompt. */
  reply?: string;
  /** Tool calls to answer with (finish reason `tool_calls` unless `finishReason` says otherwise). */
  toolCalls?: ScriptToolCall[];
  /** Forces the finish reason (mapped to the provider's own vocabulary). */
  finishReason?: FakeFinishReason;
  /** Resets the TCP connection after N content chunks (0: after the headers, before any chunk). */
  resetAfterChunks?: number;
  /** Streaming: ends the stream with the provider's in-band error event after N content chunks. */
  streamErrorAfterChunks?: number;
  /** Reads the request and never answers. */
  blackhole?: boolean;
  /** Sends a body (or one stream event) that is not valid JSON. */
  malformedJson?: boolean;
  /** Leaves usage out of the response. */
  omitUsage?: boolean;
  /** Overrides the usage numbers reported. */
  usage?: ScriptUsage;
  /** Answers with no content at all (an empty string, no parts). */
  emptyContent?: boolean;
  /** Appends FAKE_DEGRADED_MARKER to the answer, which the fake judge scores low (judge-reply.ts). */
  degraded?: boolean;
  /** Answers with the provider's real context-length-exceeded error (status 400 by default). */
  contextLengthExceeded?: boolean;
  /** Blocks the prompt the way the provider does (OpenAI 400 invalid_prompt, Anthropic refusal,
   *  Gemini promptFeedback.blockReason SAFETY). */
  promptBlocked?: boolean;
  /** Replaces the error message in error answers. */
  errorMessage?: string;
  /** How many consecutive requests this step answers when queued; default 1. */
  times?: number;
}

const count = z.int().nonnegative();

const toolCallSchema = z.strictObject({
  name: z.string().min(1),
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  id: z.string().min(1).optional(),
});

const usageSchema = z.strictObject({
  inputTokens: count.optional(),
  outputTokens: count.optional(),
  cachedInputTokens: count.optional(),
  cacheWriteTokens: count.optional(),
  reasoningTokens: count.optional(),
});

/** Validates a step received over HTTP; unknown fields are rejected so typos fail loudly. */
export const scriptStepSchema = z.strictObject({
  status: z.int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
  latencyMs: z.number().nonnegative().optional(),
  ttftMs: z.number().nonnegative().optional(),
  chunkDelayMs: z.number().nonnegative().optional(),
  reply: z.string().optional(),
  toolCalls: z.array(toolCallSchema).optional(),
  finishReason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']).optional(),
  resetAfterChunks: count.optional(),
  streamErrorAfterChunks: count.optional(),
  blackhole: z.boolean().optional(),
  malformedJson: z.boolean().optional(),
  omitUsage: z.boolean().optional(),
  usage: usageSchema.optional(),
  emptyContent: z.boolean().optional(),
  degraded: z.boolean().optional(),
  contextLengthExceeded: z.boolean().optional(),
  promptBlocked: z.boolean().optional(),
  errorMessage: z.string().optional(),
  times: z.int().positive().optional(),
});

/**
 * Parses one step or an array of steps from untrusted JSON.
 * @throws Error with a readable message naming the bad field.
 */
export function parseScriptSteps(value: unknown): ScriptStep[] {
  const result = z.union([scriptStepSchema, z.array(scriptStepSchema)]).safeParse(value);
  if (!result.success) throw new Error(`invalid script step: ${z.prettifyError(result.error)}`);
  // JSON never carries `undefined`, so zod's `T | undefined` optionals are plain optionals here.
  const steps = (Array.isArray(result.data) ? result.data : [result.data]) as ScriptStep[];
  return steps;
}
