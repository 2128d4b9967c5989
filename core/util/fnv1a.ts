/** FNV-1a, 32 bits, over the UTF-16 code units of a string: a fast, stable, non-cryptographic hash. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * FNV-1a followed by MurmurHash3's 32-bit finaliser, whose avalanche spreads every input bit over
 * the whole word: plain FNV-1a's high bits are biased for short, similar strings (tenant-1,
 * tenant-2, …), which shows when the hash is read as a point in [0, 1).
 */
export function mixedHash32(text: string): number {
  let h = fnv1a32(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
