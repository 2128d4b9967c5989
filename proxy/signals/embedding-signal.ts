import type { RouteConfig } from '../../core/config/router-config.ts';
import type { NeighbourVerdict } from '../../core/routing/decide.ts';
import { satisfiesPool } from '../../core/routing/governance.ts';
import { voteByNeighbours, type EmbeddedExemplar } from '../../core/routing/nearest-exemplars.ts';
import type { IndexedRoute, ResolvedTarget } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';

type Settings = NonNullable<RouteConfig['classification']['embeddings']>;

/** Embeds texts with one target (an OpenAI-compatible /v1/embeddings or another adapter). */
export type EmbedTexts = (
  target: ResolvedTarget,
  texts: readonly string[],
  signal: AbortSignal,
) => Promise<Float32Array[]>;

/** How the embeddings signal went for one request (core/routing/decide.ts). */
export type EmbeddingVerdict = NeighbourVerdict;

/** Texts of the request's last user message kept for embedding: what e5-class models read. */
export const MAX_EMBEDDED_CHARS = 2000;
/** Embeddings cached per proxy (least recently used out first). */
const CACHE_ENTRIES = 10_000;
/** Exemplars are embedded in the background, in batches of this many, with this long for each. */
const EXEMPLAR_BATCH = 16;
const EXEMPLAR_TIMEOUT_MS = 60_000;

/**
 * The k-nearest-exemplars signal: embeds the request's last user message with the policy's
 * embeddings target, compares it with the policy's labelled exemplars, and names their tier when
 * they agree. One embeddings call per new text: request texts and exemplars are cached per
 * target. The call has its own timeout and its own circuit (failuresToOpen consecutive failures
 * skip it for cooldownSeconds, then one trial); every failure leaves the decision to the next
 * signal, so the signal can improve routing but never fail a request.
 */
export class EmbeddingSignal {
  readonly #embed: EmbedTexts;
  readonly #now: () => number;
  readonly #cache = new Map<string, Float32Array>();
  readonly #exemplars = new Map<string, Promise<EmbeddedExemplar[] | undefined>>();
  readonly #ready = new Map<string, EmbeddedExemplar[]>();
  readonly #circuits = new Map<string, { failures: number; openUntilMs: number }>();

  constructor(embed: EmbedTexts, now: () => number) {
    this.#embed = embed;
    this.#now = now;
  }

  /** Asks the signal about one request; never throws. */
  async classify(
    route: IndexedRoute,
    target: ResolvedTarget | undefined,
    input: RoutingInput,
    sensitive: boolean,
  ): Promise<EmbeddingVerdict> {
    const settings = route.config.classification.embeddings;
    if (settings === undefined || target === undefined)
      return { outcome: 'skipped_unavailable', called: false };
    const pool = route.config.governance?.pool;
    if (sensitive && pool !== undefined && !satisfiesPool(target.provider.dataPolicy, pool))
      return { outcome: 'skipped_outside_pool', called: false };
    const exemplars = this.#exemplarsFor(target, settings);
    if (exemplars === undefined) return { outcome: 'warming', called: false };
    const embedded = await this.#vectorOf(target, input.lastUserText, settings);
    if ('outcome' in embedded) return embedded;
    const { vector, called } = embedded;
    const tiers = route.tiers.map((t) => t.name);
    const vote = voteByNeighbours(vector, exemplars, settings.k, tiers);
    if (vote === undefined || vote.confidence < settings.minConfidence)
      return { outcome: 'unsure', confidence: vote?.confidence ?? 0, called };
    return { outcome: 'decided', tier: vote.tier, confidence: vote.confidence, called };
  }

  /** The text's vector, from the cache or one call; a verdict when the call cannot be made. */
  async #vectorOf(
    target: ResolvedTarget,
    fullText: string,
    settings: Settings,
  ): Promise<{ vector: Float32Array; called: boolean } | EmbeddingVerdict> {
    const text = fullText.slice(0, MAX_EMBEDDED_CHARS);
    const key = `${target.key}\n${text}`;
    const cached = this.#cached(key);
    if (cached !== undefined) return { vector: cached, called: false };
    if (this.#isOpen(target.key, settings))
      return { outcome: 'skipped_circuit_open', called: false };
    try {
      const [vector] = await this.#embed(target, [text], AbortSignal.timeout(settings.timeoutMs));
      if (vector === undefined) throw new Error('no embedding in the answer');
      this.#remember(key, vector);
      this.#succeeded(target.key);
      return { vector, called: true };
    } catch (error) {
      this.#failed(target.key, settings);
      const timeout = error instanceof Error && error.name === 'TimeoutError';
      return { outcome: timeout ? 'timeout' : 'error', called: true };
    }
  }

  /** The exemplars' vectors when ready; else starts (once) embedding them in the background. */
  #exemplarsFor(target: ResolvedTarget, settings: Settings): EmbeddedExemplar[] | undefined {
    const id = `${target.key}\n${JSON.stringify(settings.exemplars)}`;
    const ready = this.#ready.get(id);
    if (ready !== undefined) return ready;
    if (!this.#exemplars.has(id)) {
      const work = this.#embedExemplars(target, settings).then((embedded) => {
        if (embedded === undefined) this.#exemplars.delete(id);
        else this.#ready.set(id, embedded);
        return embedded;
      });
      this.#exemplars.set(id, work);
    }
    return undefined;
  }

  async #embedExemplars(
    target: ResolvedTarget,
    settings: Settings,
  ): Promise<EmbeddedExemplar[] | undefined> {
    const texts = [...new Set(settings.exemplars.map((e) => e.text))];
    const missing = texts.filter((t) => this.#cached(`${target.key}\n${t}`) === undefined);
    try {
      for (let i = 0; i < missing.length; i += EXEMPLAR_BATCH) {
        const batch = missing.slice(i, i + EXEMPLAR_BATCH);
        const vectors = await this.#embed(target, batch, AbortSignal.timeout(EXEMPLAR_TIMEOUT_MS));
        batch.forEach((text, j) => {
          const vector = vectors[j];
          if (vector !== undefined) this.#remember(`${target.key}\n${text}`, vector);
        });
      }
    } catch {
      // Tried again by the next request that needs them.
      return undefined;
    }
    const out: EmbeddedExemplar[] = [];
    for (const e of settings.exemplars) {
      const vector = this.#cache.get(`${target.key}\n${e.text}`);
      if (vector !== undefined) out.push({ vector, tier: e.tier });
    }
    return out;
  }

  /** Resolves when the exemplars of the route are embedded (or failed): for tests and warm-up. */
  async warm(route: IndexedRoute, target: ResolvedTarget): Promise<boolean> {
    const settings = route.config.classification.embeddings;
    if (settings === undefined) return false;
    if (this.#exemplarsFor(target, settings) !== undefined) return true;
    const id = `${target.key}\n${JSON.stringify(settings.exemplars)}`;
    return (await this.#exemplars.get(id)) !== undefined;
  }

  #cached(key: string): Float32Array | undefined {
    const vector = this.#cache.get(key);
    if (vector !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#cache.delete(key);
      this.#cache.set(key, vector);
    }
    return vector;
  }

  #remember(key: string, vector: Float32Array): void {
    this.#cache.set(key, vector);
    if (this.#cache.size > CACHE_ENTRIES) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }

  #isOpen(key: string, settings: Settings): boolean {
    const circuit = this.#circuits.get(key);
    if (circuit === undefined || circuit.failures < settings.failuresToOpen) return false;
    if (this.#now() < circuit.openUntilMs) return true;
    // Half-open: this request is the trial; a failure re-opens it for another cooldown.
    circuit.openUntilMs = this.#now() + settings.cooldownSeconds * 1000;
    return false;
  }

  #succeeded(key: string): void {
    this.#circuits.delete(key);
  }

  #failed(key: string, settings: Settings): void {
    const circuit = this.#circuits.get(key) ?? { failures: 0, openUntilMs: 0 };
    circuit.failures++;
    if (circuit.failures >= settings.failuresToOpen)
      circuit.openUntilMs = this.#now() + settings.cooldownSeconds * 1000;
    this.#circuits.set(key, circuit);
  }
}
