import type { RoutingInput } from '../routing/routing-input.ts';

/**
 * What the difficulty scorer reads of a request: a subset of {@link RoutingInput}, so the proxy,
 * `switchyard explain`, `switchyard eval` and the training script all score the same thing.
 */
export type DifficultyInput = Pick<
  RoutingInput,
  | 'lastUserText'
  | 'userTurns'
  | 'messageCount'
  | 'promptTokens'
  | 'hasTools'
  | 'hasImages'
  | 'responseFormat'
>;

/** A single-turn text prompt as a {@link DifficultyInput} (prompt tokens estimated by the caller). */
export function promptInput(text: string, promptTokens: number): DifficultyInput {
  return {
    lastUserText: text,
    userTurns: 1,
    messageCount: 1,
    promptTokens,
    hasTools: false,
    hasImages: false,
    responseFormat: undefined,
  };
}
