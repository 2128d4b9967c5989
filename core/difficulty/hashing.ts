/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a 32-bit prime. */
export const FNV_PRIME = 0x01000193;
/** Hash of the start of the message, so the first word is also its own n-gram (`<s> translate`). */
export const START = 0x5bd1e995;

/** FNV-1a over a word's lower-cased characters, as the scanner computes it. */
export function wordHash(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ lower(word.charCodeAt(i)), FNV_PRIME);
  return h >>> 0;
}

/** Hash of two consecutive words. */
export function pairHash(first: number, second: number): number {
  return (Math.imul(first ^ 0x9e3779b9, FNV_PRIME) ^ second) >>> 0;
}

/** ASCII lower case of a UTF-16 code unit. */
export function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}
