// Cheap, stable pseudo-randomness for the fakes: replies, ids and embeddings must repeat across
// runs (tests compare them) and cost next to nothing per request (benchmarks hit the fakes hard).

/** 32-bit FNV-1a hash of a string's UTF-16 code units; `seed` chains hashes. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A deterministic generator of unsigned 32-bit integers (mulberry32) seeded by `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

/** A deterministic id-like string of `length` base62 characters derived from `seed`. */
export function pseudoId(seed: number, length: number): string {
  return pick(BASE62, seed, length);
}

/** A deterministic string of `length` lowercase hex digits derived from `seed`. */
export function pseudoHex(seed: number, length: number): string {
  return pick(HEX, seed, length);
}

function pick(alphabet: string, seed: number, length: number): string {
  const next = seededRandom(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[next() % alphabet.length];
  return out;
}
