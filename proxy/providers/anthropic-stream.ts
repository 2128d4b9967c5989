import type { SseEvent } from './sse-parser.ts';
import { SseTranslator } from './sse-translator.ts';
import type { Usage } from '../../core/cost/usage.ts';
import type { ChatCompletionChunk } from '../../core/openai/types.ts';
import { usageToWire } from '../../core/openai/wire-usage.ts';
import { UpstreamFailure, badResponse } from './adapter-error.ts';
import { anthropicErrorDetails, anthropicErrorStatus } from './anthropic-errors.ts';
import { anthropicFinishReason, anthropicUsage } from './anthropic-response.ts';
import { num } from './json-values.ts';
import { wantsUsage } from './chunk-builder.ts';
import { classifyError } from './upstream-errors.ts';

type Event = Record<string, unknown>;

/**
 * Translates Anthropic's Messages stream (message_start, content_block_start/delta/stop,
 * message_delta, message_stop, ping, error) into OpenAI chunks: a role chunk first, text deltas
 * as content, each tool_use block as a tool call (id and name first, then its input_json_delta
 * fragments as arguments, indexed by tool call, not by content block), then one finish chunk and,
 * if the client asked, the usage chunk.
 */
export class AnthropicStreamTranslator extends SseTranslator {
  /** OpenAI tool call index by Anthropic content block index. */
  readonly #toolIndex = new Map<number, number>();
  #usage: Usage | undefined;
  #wireUsage: Event = {};
  #stopReason: unknown = null;
  #started = false;
  #stopped = false;

  protected onEvent(event: SseEvent, out: ChatCompletionChunk[]): void {
    this.#event(event.data, out);
  }

  protected onEnd(): void {
    if (!this.#stopped) {
      throw badResponse(
        this.#started
          ? 'the upstream stream ended before message_stop'
          : 'the upstream stream ended without any event',
      );
    }
  }

  usage(): Usage {
    this.#usage ??= this.reportedOrEstimated(anthropicUsage(this.#wireUsage));
    return this.#usage;
  }

  #event(data: string, out: ChatCompletionChunk[]): void {
    if (this.#stopped) return;
    let event: Event;
    try {
      event = JSON.parse(data) as Event;
    } catch {
      throw badResponse('the upstream stream sent a data line that is not JSON');
    }
    switch (event['type']) {
      case 'message_start':
        this.#start(event, out);
        return;
      case 'content_block_start':
        this.#blockStart(event, out);
        return;
      case 'content_block_delta':
        this.#blockDelta(event, out);
        return;
      case 'message_delta': {
        const delta = event['delta'] as Event | undefined;
        if (delta?.['stop_reason'] !== undefined) this.#stopReason = delta['stop_reason'];
        this.#mergeUsage(event['usage']);
        return;
      }
      case 'message_stop':
        this.#stop(out);
        return;
      case 'error': {
        const details = anthropicErrorDetails(data);
        throw new UpstreamFailure(
          classifyError(anthropicErrorStatus(details.code), {}, details, 0),
        );
      }
      default:
        // ping, content_block_stop and event types added later carry nothing to relay.
        return;
    }
  }

  #start(event: Event, out: ChatCompletionChunk[]): void {
    const message = event['message'] as Event | undefined;
    const id = message?.['id'];
    if (typeof id === 'string' && id !== '') this.chunks.id = id;
    this.#mergeUsage(message?.['usage']);
    this.#started = true;
    out.push(this.chunks.delta(0, { role: 'assistant', content: '' }));
  }

  #blockStart(event: Event, out: ChatCompletionChunk[]): void {
    const block = event['content_block'] as Event | undefined;
    if (block?.['type'] === 'tool_use') {
      const index = this.#toolIndex.size;
      this.#toolIndex.set(num(event['index']), index);
      this.contentSeen = true;
      out.push(
        this.chunks.delta(0, {
          tool_calls: [
            {
              index,
              id: String(block['id']),
              type: 'function',
              function: { name: String(block['name']), arguments: '' },
            },
          ],
        }),
      );
    } else if (
      block?.['type'] === 'text' &&
      typeof block['text'] === 'string' &&
      block['text'] !== ''
    ) {
      this.#text(block['text'], out);
    }
  }

  #blockDelta(event: Event, out: ChatCompletionChunk[]): void {
    const delta = event['delta'] as Event | undefined;
    if (delta?.['type'] === 'text_delta' && typeof delta['text'] === 'string') {
      if (delta['text'] !== '') this.#text(delta['text'], out);
    } else if (
      delta?.['type'] === 'input_json_delta' &&
      typeof delta['partial_json'] === 'string'
    ) {
      const index = this.#toolIndex.get(num(event['index']));
      const fragment = delta['partial_json'];
      if (index === undefined || fragment === '') return;
      this.texts.push(fragment);
      out.push(
        this.chunks.delta(0, { tool_calls: [{ index, function: { arguments: fragment } }] }),
      );
    }
    // thinking_delta, signature_delta and citations_delta are not part of the OpenAI answer.
  }

  #text(text: string, out: ChatCompletionChunk[]): void {
    this.contentSeen = true;
    this.texts.push(text);
    out.push(this.chunks.delta(0, { content: text }));
  }

  /** Anthropic sends input counts in message_start and cumulative output in message_delta. */
  #mergeUsage(usage: unknown): void {
    if (typeof usage !== 'object' || usage === null) return;
    for (const [key, value] of Object.entries(usage)) {
      if (typeof value === 'number') this.#wireUsage[key] = value;
    }
  }

  #stop(out: ChatCompletionChunk[]): void {
    this.#stopped = true;
    if (!this.#started) throw badResponse('the upstream stream stopped before message_start');
    out.push(this.chunks.delta(0, {}, anthropicFinishReason(this.#stopReason)));
    if (wantsUsage(this.context)) out.push(this.chunks.usage(usageToWire(this.usage())));
  }
}
