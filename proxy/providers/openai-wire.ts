import type { FinishReason } from '../../core/openai/types.ts';
import { parseJsonObject, rawMessage } from './upstream-errors.ts';
import type { ErrorDetails } from './upstream-errors.ts';

/**
 * Maps finish reasons of compatible servers onto OpenAI's five. Unknown reasons become `stop`;
 * DeepSeek's `insufficient_system_resource` cut the answer short, so it becomes `length`.
 */
export function normaliseFinishReason(reason: unknown, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
    case 'function_call':
      return reason;
    case 'max_tokens':
    case 'model_length':
    case 'insufficient_system_resource':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/**
 * The message and code of an OpenAI-style error body, in the shapes compatible servers use:
 * `{error: {message, type, code}}` (OpenAI, vLLM, DeepSeek, Groq), `{message, type, code}`
 * (Mistral), `{error: "…"}` (Ollama), `{detail: …}` (FastAPI-based servers).
 */
export function openAIErrorDetails(body: string): ErrorDetails {
  const parsed = parseJsonObject(body);
  if (parsed === undefined) return { message: rawMessage(body), code: '' };
  const error = parsed['error'];
  const source =
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : parsed;
  const message =
    typeof error === 'string'
      ? error
      : typeof source['message'] === 'string'
        ? source['message']
        : typeof parsed['detail'] === 'string'
          ? parsed['detail']
          : rawMessage(body);
  const code = [source['code'], source['type']].filter((v) => typeof v === 'string').join(' ');
  return { message, code };
}
