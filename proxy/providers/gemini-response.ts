import { estimatedUsage } from '../../core/cost/estimated-usage.ts';
import type { Usage } from '../../core/cost/usage.ts';
import { estimatePromptTokens } from '../../core/openai/request-facts.ts';
import type {
  ChatCompletion,
  ChatCompletionChoice,
  FinishReason,
  ToolCall,
} from '../../core/openai/types.ts';
import { usageToWire } from '../../core/openai/wire-usage.ts';
import type { ParsedCompletion, ResponseContext } from './adapter.ts';
import { badResponse } from './adapter-error.ts';
import { num } from './json-values.ts';
import { parseJsonObject } from './upstream-errors.ts';

type Json = Record<string, unknown>;

/**
 * Gemini's finish reasons in OpenAI's terms. STOP with function calls is a tool call (Gemini has
 * no separate reason); MAX_TOKENS truncates; the safety family (SAFETY, RECITATION, BLOCKLIST,
 * PROHIBITED_CONTENT, SPII, IMAGE_SAFETY) is a content filter; anything else ends normally.
 */
export function geminiFinishReason(reason: unknown, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/**
 * Gemini's usageMetadata normalised. `candidatesTokenCount` excludes thinking, so output is
 * candidates + thoughts, and thoughts are the reasoning tokens; tool-use prompt tokens (results
 * of built-in tools fed back to the model) are billed as input.
 */
export function geminiUsage(metadata: unknown): Usage | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const m = metadata as Json;
  if (typeof m['promptTokenCount'] !== 'number') return undefined;
  const thoughts = num(m['thoughtsTokenCount']);
  const inputTokens = num(m['promptTokenCount']) + num(m['toolUsePromptTokenCount']);
  return {
    inputTokens,
    outputTokens: num(m['candidatesTokenCount']) + thoughts,
    cachedInputTokens: Math.min(num(m['cachedContentTokenCount']), inputTokens),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
    estimated: false,
  };
}

/** The text and function calls of one candidate's parts; thought parts are left out. */
export function candidateOutput(
  candidate: Json | undefined,
  callId: (i: number) => string,
): { text: string; toolCalls: ToolCall[] } {
  let text = '';
  const toolCalls: ToolCall[] = [];
  const parts = (candidate?.['content'] as Json | undefined)?.['parts'];
  if (!Array.isArray(parts)) return { text, toolCalls };
  for (const part of parts as Json[]) {
    if (typeof part['text'] === 'string' && part['thought'] !== true) text += part['text'];
    const call = part['functionCall'] as Json | undefined;
    if (typeof call === 'object' && call !== null) {
      const id =
        typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : callId(toolCalls.length);
      toolCalls.push({
        id,
        type: 'function',
        function: { name: String(call['name']), arguments: JSON.stringify(call['args'] ?? {}) },
      });
    }
  }
  return { text, toolCalls };
}

/** Parses a Gemini GenerateContentResponse into an OpenAI chat completion. */
export function parseGeminiResponse(body: string, context: ResponseContext): ParsedCompletion {
  const response = parseJsonObject(body);
  if (response === undefined)
    throw badResponse('the upstream Gemini response is not a JSON object');
  const id = responseId(response, context);
  const candidates = Array.isArray(response['candidates'])
    ? (response['candidates'] as Json[])
    : [];
  const texts: string[] = [];
  const choices: ChatCompletionChoice[] = candidates.map((candidate, i) => {
    const index = typeof candidate['index'] === 'number' ? candidate['index'] : i;
    const { text, toolCalls } = candidateOutput(candidate, (n) => `call_${id}_${index}_${n}`);
    texts.push(text, ...toolCalls.map((call) => call.function.arguments));
    const hasToolCalls = toolCalls.length > 0;
    return {
      index,
      message: {
        role: 'assistant',
        content: hasToolCalls && text === '' ? null : text,
        ...(hasToolCalls ? { tool_calls: toolCalls } : {}),
      },
      finish_reason: geminiFinishReason(candidate['finishReason'], hasToolCalls),
      logprobs: null,
    };
  });
  if (choices.length === 0) {
    // No candidate: the prompt itself was blocked (promptFeedback.blockReason) or nothing came.
    const blocked = (response['promptFeedback'] as Json | undefined)?.['blockReason'] !== undefined;
    choices.push({
      index: 0,
      message: { role: 'assistant', content: '' },
      finish_reason: blocked ? 'content_filter' : 'stop',
      logprobs: null,
    });
  }
  const usage =
    geminiUsage(response['usageMetadata']) ??
    estimatedUsage(estimatePromptTokens(context.request), texts);
  const completion: ChatCompletion = {
    id,
    object: 'chat.completion',
    created: context.createdSeconds,
    model: context.responseModel,
    choices,
    usage: usageToWire(usage),
  };
  return { completion, usage };
}

/** Gemini's `responseId`, or the fallback id. */
export function responseId(response: Json, context: ResponseContext): string {
  const id = response['responseId'];
  return typeof id === 'string' && id !== '' ? id : context.fallbackId;
}
