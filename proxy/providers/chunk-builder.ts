import type {
  ChatCompletionChunk,
  ChunkChoice,
  FinishReason,
  WireUsage,
} from '../../core/openai/types.ts';
import type { ResponseContext } from './adapter.ts';

/** The delta of one chunk choice. */
export type ChunkDelta = ChunkChoice['delta'];

/**
 * Builds OpenAI chunks for adapters that translate another stream format: every chunk of one
 * response shares its id, `created` and the model name the client sees.
 */
export class ChunkBuilder {
  id: string;
  readonly created: number;
  readonly model: string;

  constructor(context: ResponseContext) {
    this.id = context.fallbackId;
    this.created = context.createdSeconds;
    this.model = context.responseModel;
  }

  /** A chunk with one choice. */
  delta(
    index: number,
    delta: ChunkDelta,
    finishReason: FinishReason | null = null,
  ): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index, delta, finish_reason: finishReason }],
    };
  }

  /** The final usage chunk (`stream_options.include_usage`): no choices, only usage. */
  usage(usage: WireUsage): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage,
    };
  }
}

/** True when the client asked for the usage chunk. */
export function wantsUsage(context: ResponseContext): boolean {
  return context.request.stream_options?.include_usage === true;
}
