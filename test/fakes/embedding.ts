import { fnv1a } from './hash.ts';

/** Embedding dimensions when the request does not ask for a size. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 64;

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A deterministic embedding of `text`: a signed, hashed bag of lower-cased words, L2-normalised.
 * Texts sharing words get a high cosine similarity and identical texts get 1, which is what the
 * semantic-cache tests need from a real model.
 */
export function embedText(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const hash = fnv1a(match[0]);
    const index = hash % dimensions;
    vector[index] = (vector[index] ?? 0) + (hash >>> 31 === 1 ? 1 : -1);
  }
  const norm = Math.hypot(...vector);
  // Real models never return the zero vector; a fixed unit vector keeps cosine defined.
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((value) => Math.round((value / norm) * 1e8) / 1e8);
}

/** Encodes a vector as base64 of little-endian float32s, OpenAI's `encoding_format: "base64"`. */
export function toBase64Float32(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}
