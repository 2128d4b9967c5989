import { SseTranslator } from './sse-translator.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type { ChatCompletionChunk, WireUsage } from '../../core/openai/types.ts';
import { usageFromWire, usageToWire } from '../../core/openai/wire-usage.ts';
import { UpstreamFailure, badResponse } from './adapter-error.ts';
import { wantsUsage } from './chunk-builder.ts';
import { normaliseFinishReason, openAIErrorDetails } from './openai-wire.ts';
import type { SseEvent } from './sse-parser.ts';
import { classifyError } from './upstream-errors.ts';

/**
 * Relays an OpenAI-compatible stream: each `data:` chunk is parsed once, its model replaced by
 * the one the client sees, its finish reason normalised; the upstream usage (which we always
 * request) is held back and re-emitted as the final usage chunk only if the client asked for it.
 */
export class OpenAIStreamTranslator extends SseTranslator {
  #wireUsage: WireUsage | undefined;
  #usage: Usage | undefined;
  #relayed = 0;
  #sawFinish = false;
  #done = false;

  protected onEvent(event: SseEvent, out: ChatCompletionChunk[]): void {
    this.#event(event, out);
  }

  protected onEnd(out: ChatCompletionChunk[]): void {
    if (!this.#done) {
      // No [DONE]: tolerated after a finish reason (some servers omit it), else a cut stream.
      if (!this.#sawFinish) throw badResponse('the upstream stream ended before a finish reason');
      this.#finish(out);
    }
  }

  usage(): Usage {
    if (this.#usage === undefined) {
      const wire = this.#wireUsage === undefined ? undefined : usageFromWire(this.#wireUsage);
      this.#usage = this.reportedOrEstimated(wire);
    }
    return this.#usage;
  }

  #event(event: SseEvent, out: ChatCompletionChunk[]): void {
    if (this.#done) return;
    if (event.data === '[DONE]') {
      this.#finish(out);
      return;
    }
    const chunk = parseChunk(event.data);
    if (chunk.usage !== undefined && chunk.usage !== null) {
      this.#wireUsage = chunk.usage;
      chunk.usage = undefined;
    }
    const choices = chunk.choices;
    // A usage-only chunk (or a keep-alive without choices) is not relayed as is.
    if (!Array.isArray(choices) || choices.length === 0) return;
    if (typeof chunk.id === 'string' && chunk.id !== '') this.chunks.id = chunk.id;
    else chunk.id = this.chunks.id;
    chunk.object = 'chat.completion.chunk';
    if (typeof chunk.created !== 'number') chunk.created = this.chunks.created;
    chunk.model = this.chunks.model;
    for (const choice of choices) this.#choice(choice);
    this.#relayed++;
    out.push(chunk);
  }

  #choice(choice: ChatCompletionChunk['choices'][number]): void {
    const delta = (choice.delta ??= {});
    const content = delta.content;
    if (typeof content === 'string' && content !== '') {
      this.texts.push(content);
      this.contentSeen = true;
    }
    const reasoning = (delta as { reasoning_content?: unknown }).reasoning_content;
    if (typeof reasoning === 'string' && reasoning !== '') {
      // DeepSeek-style reasoning streams before the answer and is output the client sees.
      this.texts.push(reasoning);
      this.contentSeen = true;
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.contentSeen = true;
    const calls = delta.tool_calls;
    if (Array.isArray(calls) && calls.length > 0) {
      this.contentSeen = true;
      for (const call of calls) {
        const args = call.function?.arguments;
        if (typeof args === 'string') this.texts.push(args);
      }
    }
    const reason = choice.finish_reason;
    if (reason === undefined || reason === null) choice.finish_reason = null;
    else {
      choice.finish_reason = normaliseFinishReason(reason, false);
      this.#sawFinish = true;
    }
  }

  #finish(out: ChatCompletionChunk[]): void {
    this.#done = true;
    if (this.#relayed === 0) throw badResponse('the upstream stream ended without any chunk');
    if (!this.#sawFinish) out.push(this.chunks.delta(0, {}, 'stop'));
    if (wantsUsage(this.context)) {
      out.push(this.chunks.usage(this.#wireUsage ?? usageToWire(this.usage())));
    }
  }
}

/** Parses one `data:` payload; an `{error: …}` payload (OpenAI, vLLM mid-stream) throws. */
function parseChunk(data: string): ChatCompletionChunk {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw badResponse('the upstream stream sent a data line that is not JSON');
  }
  if (typeof chunk !== 'object' || chunk === null) {
    throw badResponse('the upstream chunk is not an object');
  }
  const error = (chunk as { error?: unknown }).error;
  if (error !== undefined && error !== null) {
    throw new UpstreamFailure(classifyError(500, {}, openAIErrorDetails(data), 0));
  }
  return chunk as ChatCompletionChunk;
}
