/** An exemplar with its embedding. */
export interface EmbeddedExemplar {
  vector: Float32Array;
  tier: string;
}

/** What the nearest exemplars say. */
export interface NeighbourVote {
  /** The tier with the largest similarity-weighted vote. */
  tier: string;
  /** That tier's share of the vote, 0 to 1. */
  confidence: number;
  /** Cosine similarity of the nearest exemplar. */
  nearest: number;
}

/** Cosine similarity; 0 when either vector is all zeros. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * The k nearest exemplars by cosine similarity vote for their tiers, each with its similarity
 * (negative similarities count as 0). Ties between tiers go to the more capable one (`tiers`
 * lists them cheapest first): when in doubt, do not under-serve. Undefined without exemplars.
 */
export function voteByNeighbours(
  query: Float32Array,
  exemplars: readonly EmbeddedExemplar[],
  k: number,
  tiers: readonly string[],
): NeighbourVote | undefined {
  if (exemplars.length === 0) return undefined;
  const scored = exemplars
    .map((e) => ({ tier: e.tier, similarity: cosine(query, e.vector) }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, Math.max(1, k));
  const votes = new Map<string, number>();
  let total = 0;
  for (const { tier, similarity } of scored) {
    const weight = Math.max(0, similarity);
    votes.set(tier, (votes.get(tier) ?? 0) + weight);
    total += weight;
  }
  let best: string | undefined;
  let bestVotes = -1;
  for (const [tier, v] of votes) {
    const better =
      v > bestVotes || (v === bestVotes && tiers.indexOf(tier) > tiers.indexOf(best ?? ''));
    if (better) {
      best = tier;
      bestVotes = v;
    }
  }
  return {
    tier: best as string,
    confidence: total === 0 ? 0 : bestVotes / total,
    nearest: scored[0]?.similarity ?? 0,
  };
}
