import { estimatedUsage } from '../../core/cost/estimated-usage.ts';
import type { Usage } from '../../core/cost/usage.ts';
import { estimatePromptTokens } from '../../core/openai/request-facts.ts';
import type { ChatCompletion, FinishReason, ToolCall } from '../../core/openai/types.ts';
import { usageToWire } from '../../core/openai/wire-usage.ts';
import type { ParsedCompletion, ResponseContext } from './adapter.ts';
import { badResponse } from './adapter-error.ts';
import { num } from './json-values.ts';
import { parseJsonObject } from './upstream-errors.ts';

/**
 * Anthropic's stop reasons in OpenAI's terms: end_turn, stop_sequence and pause_turn end
 * normally; max_tokens and model_context_window_exceeded truncate; tool_use asks for tool
 * results; refusal is the safety system's.
 */
export function anthropicFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Anthropic's usage normalised: its `input_tokens` excludes cache reads and writes, so the total
 * input is the sum of the three (OpenAI's convention); thinking tokens are inside
 * `output_tokens` and not reported apart. Undefined when absent.
 */
export function anthropicUsage(wire: unknown): Usage | undefined {
  if (typeof wire !== 'object' || wire === null) return undefined;
  const u = wire as Record<string, unknown>;
  if (typeof u['input_tokens'] !== 'number' && typeof u['output_tokens'] !== 'number')
    return undefined;
  const cacheRead = num(u['cache_read_input_tokens']);
  const cacheWrite = num(u['cache_creation_input_tokens']);
  return {
    inputTokens: num(u['input_tokens']) + cacheRead + cacheWrite,
    outputTokens: num(u['output_tokens']),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
    estimated: false,
  };
}

/** Parses an Anthropic message into an OpenAI chat completion. */
export function parseAnthropicMessage(body: string, context: ResponseContext): ParsedCompletion {
  const message = parseJsonObject(body);
  const content = message?.['content'];
  if (message === undefined || !Array.isArray(content)) {
    throw badResponse('the upstream Anthropic message is not a JSON object with content');
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content as Record<string, unknown>[]) {
    if (block['type'] === 'text' && typeof block['text'] === 'string') text += block['text'];
    else if (block['type'] === 'tool_use') {
      toolCalls.push({
        id: String(block['id']),
        type: 'function',
        function: { name: String(block['name']), arguments: JSON.stringify(block['input'] ?? {}) },
      });
    }
    // thinking / redacted_thinking blocks are the model's scratchpad, not the answer.
  }
  const usage =
    anthropicUsage(message['usage']) ??
    estimatedUsage(estimatePromptTokens(context.request), [
      text,
      ...toolCalls.map((c) => c.function.arguments),
    ]);
  const hasToolCalls = toolCalls.length > 0;
  const id = message['id'];
  const completion: ChatCompletion = {
    id: typeof id === 'string' && id !== '' ? id : context.fallbackId,
    object: 'chat.completion',
    created: context.createdSeconds,
    model: context.responseModel,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasToolCalls && text === '' ? null : text,
          ...(hasToolCalls ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: anthropicFinishReason(message['stop_reason']),
        logprobs: null,
      },
    ],
    usage: usageToWire(usage),
  };
  return { completion, usage };
}
