import { estimatedUsage } from '../../core/cost/estimated-usage.ts';
import type { Usage } from '../../core/cost/usage.ts';
import { estimatePromptTokens } from '../../core/openai/request-facts.ts';
import type { ChatCompletionChunk } from '../../core/openai/types.ts';
import type { ResponseContext, StreamTranslator } from './adapter.ts';
import { ChunkBuilder } from './chunk-builder.ts';
import { SseParser, type SseEvent } from './sse-parser.ts';

/**
 * What every provider's stream translator shares: SSE framing, the chunk builder, the produced
 * text (to estimate usage when a provider reports none) and the first-content flag the executor
 * waits for. Subclasses read one event at a time and say what the end of the stream means.
 */
export abstract class SseTranslator implements StreamTranslator {
  protected readonly context: ResponseContext;
  protected readonly chunks: ChunkBuilder;
  /** Produced text and tool arguments, kept to estimate usage if the upstream reports none. */
  protected readonly texts: string[] = [];
  /** Set once a chunk carried content, a tool call or a refusal. */
  protected contentSeen = false;
  readonly #parser = new SseParser();

  constructor(context: ResponseContext) {
    this.context = context;
    this.chunks = new ChunkBuilder(context);
  }

  get sawContent(): boolean {
    return this.contentSeen;
  }

  push(text: string): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    for (const event of this.#parser.push(text)) this.onEvent(event, out);
    return out;
  }

  end(): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    for (const event of this.#parser.end()) this.onEvent(event, out);
    this.onEnd(out);
    return out;
  }

  abstract usage(): Usage;

  /** Translates one upstream event, appending the chunks it produces to `out`. */
  protected abstract onEvent(event: SseEvent, out: ChatCompletionChunk[]): void;

  /** Called at the upstream end of stream; throws when the stream was cut short. */
  protected abstract onEnd(out: ChatCompletionChunk[]): void;

  /** The provider's usage when it reported some, else an estimate from the request and the text. */
  protected reportedOrEstimated(reported: Usage | undefined): Usage {
    return reported ?? estimatedUsage(estimatePromptTokens(this.context.request), this.texts);
  }
}
