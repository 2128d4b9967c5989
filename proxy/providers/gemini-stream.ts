import type { SseEvent } from './sse-parser.ts';
import { SseTranslator } from './sse-translator.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type { ChatCompletionChunk } from '../../core/openai/types.ts';
import { usageToWire } from '../../core/openai/wire-usage.ts';
import { UpstreamFailure, badResponse } from './adapter-error.ts';
import { wantsUsage } from './chunk-builder.ts';
import { geminiErrorDetails } from './gemini-errors.ts';
import { candidateOutput, geminiFinishReason, geminiUsage } from './gemini-response.ts';
import { classifyError } from './upstream-errors.ts';

type Json = Record<string, unknown>;

/** What the stream has produced for one candidate so far. */
interface CandidateState {
  toolCalls: number;
  finished: boolean;
}

/**
 * Translates `streamGenerateContent?alt=sse`: every event is a whole GenerateContentResponse
 * with the next parts of each candidate. Text parts become content deltas; function calls arrive
 * whole and become one tool call delta each; the chunk with a finishReason yields the finish
 * chunk. Gemini sends no end-of-stream event, so the usage chunk (from the last usageMetadata,
 * which is cumulative) goes out at end of stream.
 */
export class GeminiStreamTranslator extends SseTranslator {
  readonly #candidates = new Map<number, CandidateState>();
  #metadata: unknown;
  #usage: Usage | undefined;
  #events = 0;
  #ended = false;

  protected onEvent(event: SseEvent, out: ChatCompletionChunk[]): void {
    this.#event(event.data, out);
  }

  protected onEnd(out: ChatCompletionChunk[]): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#events === 0) throw badResponse('the upstream stream ended without any event');
    for (const state of this.#candidates.values()) {
      if (!state.finished) throw badResponse('the upstream stream ended before a finishReason');
    }
    if (wantsUsage(this.context)) out.push(this.chunks.usage(usageToWire(this.usage())));
  }

  usage(): Usage {
    this.#usage ??= this.reportedOrEstimated(geminiUsage(this.#metadata));
    return this.#usage;
  }

  #event(data: string, out: ChatCompletionChunk[]): void {
    let response: Json;
    try {
      response = JSON.parse(data) as Json;
    } catch {
      throw badResponse('the upstream stream sent a data line that is not JSON');
    }
    if (typeof response['error'] === 'object' && response['error'] !== null) {
      const details = geminiErrorDetails(data);
      const status =
        typeof (response['error'] as Json)['code'] === 'number'
          ? ((response['error'] as Json)['code'] as number)
          : 500;
      throw new UpstreamFailure(classifyError(status, {}, details, 0));
    }
    if (this.#events++ === 0 && typeof response['responseId'] === 'string')
      this.chunks.id = response['responseId'];
    if (response['usageMetadata'] !== undefined) this.#metadata = response['usageMetadata'];
    const candidates = Array.isArray(response['candidates'])
      ? (response['candidates'] as Json[])
      : [];
    candidates.forEach((candidate, i) =>
      this.#candidate(
        candidate,
        typeof candidate['index'] === 'number' ? candidate['index'] : i,
        out,
      ),
    );
    const blocked = (response['promptFeedback'] as Json | undefined)?.['blockReason'] !== undefined;
    if (candidates.length === 0 && blocked && !this.#candidates.has(0)) {
      // The prompt was blocked: an empty answer that says why it is empty.
      this.#candidates.set(0, { toolCalls: 0, finished: true });
      out.push(this.chunks.delta(0, { role: 'assistant', content: '' }));
      out.push(this.chunks.delta(0, {}, 'content_filter'));
    }
  }

  #candidate(candidate: Json, index: number, out: ChatCompletionChunk[]): void {
    let state = this.#candidates.get(index);
    if (state === undefined) {
      state = { toolCalls: 0, finished: false };
      this.#candidates.set(index, state);
      out.push(this.chunks.delta(index, { role: 'assistant', content: '' }));
    }
    if (state.finished) return;
    const first = state.toolCalls;
    const { text, toolCalls } = candidateOutput(
      candidate,
      (n) => `call_${this.chunks.id}_${index}_${first + n}`,
    );
    if (text !== '') {
      this.contentSeen = true;
      this.texts.push(text);
      out.push(this.chunks.delta(index, { content: text }));
    }
    for (const call of toolCalls) {
      this.contentSeen = true;
      this.texts.push(call.function.arguments);
      out.push(
        this.chunks.delta(index, {
          tool_calls: [
            { index: state.toolCalls++, id: call.id, type: 'function', function: call.function },
          ],
        }),
      );
    }
    const reason = candidate['finishReason'];
    if (typeof reason === 'string' && reason !== '' && reason !== 'FINISH_REASON_UNSPECIFIED') {
      state.finished = true;
      out.push(this.chunks.delta(index, {}, geminiFinishReason(reason, state.toolCalls > 0)));
    }
  }
}
