import type { FakeApi } from './fake-api.ts';

/**
 * Words per streamed content chunk, per wire format. OpenAI and Anthropic stream about one token
 * per event; Gemini batches many tokens into each chunk, and clients must cope with both.
 */
export const WORDS_PER_CHUNK: Readonly<Record<FakeApi, number>> = {
  openai: 1,
  anthropic: 1,
  gemini: 6,
};

/** Tokens in a word, on average, for turning tokens-per-second into a chunk delay. */
export const TOKENS_PER_WORD = 1.3;

const WORD = /\s*\S+/g;

/**
 * Splits text into stream chunks of `wordsPerChunk` words, each keeping its leading whitespace
 * (as tokenisers do), so the chunks concatenate back to the text exactly.
 */
export function splitText(text: string, wordsPerChunk: number): string[] {
  const words = text.match(WORD) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) {
    chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  }
  // Trailing whitespace belongs to the last chunk so nothing is lost.
  const tail = text.length - chunks.join('').length;
  if (tail > 0) {
    if (chunks.length === 0) chunks.push(text);
    else chunks[chunks.length - 1] += text.slice(text.length - tail);
  }
  return chunks;
}

/**
 * Splits a tool call's JSON arguments into fragments of about `size` characters, the way
 * providers stream them (fragments are not valid JSON on their own).
 */
export function splitArguments(json: string, size = 8): string[] {
  const fragments: string[] = [];
  for (let i = 0; i < json.length; i += size) fragments.push(json.slice(i, i + size));
  return fragments;
}
