import { createHash } from 'node:crypto';
import type { RouteConfig } from '../../core/config/router-config.ts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from '../../core/openai/types.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import type { SharedState } from '../state/shared-state.ts';

/** Header that names the tenant; cache entries never cross tenants. */
export const TENANT_HEADER = 'x-switchyard-tenant';

/** A cached answer and what it cost the first time. */
export interface CachedAnswer {
  completion: ChatCompletion;
  /** The provider/model that produced it. */
  target: string;
  tier: string;
}

/** Fields that change how an answer is delivered or attributed, not what it says. */
const DELIVERY_FIELDS = new Set(['stream', 'stream_options', 'user']);

/**
 * The exact-match response cache. The key covers the route, the tenant and the request itself
 * (minus delivery fields), so a hit is the same question asked of the same policy by the same
 * tenant. Sensitive requests are never cached (the caller checks). Errors of the shared state
 * count as misses: the cache may save money, never fail a request.
 */
export class ResponseCache {
  readonly #state: SharedState;
  readonly #metrics: ProxyMetrics;

  constructor(state: SharedState, metrics: ProxyMetrics) {
    this.#state = state;
    this.#metrics = metrics;
  }

  /** The key of a request under a route, or undefined when the route has no exact cache. */
  keyFor(
    route: RouteConfig | undefined,
    request: ChatCompletionRequest,
    tenant: string | undefined,
  ): string | undefined {
    if (route?.cache?.exact === undefined) return undefined;
    const meaning = Object.fromEntries(
      Object.entries(request).filter(([field]) => !DELIVERY_FIELDS.has(field)),
    );
    const digest = createHash('sha256')
      .update(
        canonicalJson({
          route: `${route.namespace}/${route.alias}`,
          tenant: tenant ?? '',
          request: meaning,
        }),
      )
      .digest('hex');
    return `switchyard:cache:${digest}`;
  }

  /** The cached answer for a key, if any. */
  async lookup(route: string, key: string): Promise<CachedAnswer | undefined> {
    try {
      const text = await this.#state.get(key);
      this.#metrics.cacheLookups.inc({ route, result: text === undefined ? 'miss' : 'hit' });
      return text === undefined ? undefined : (JSON.parse(text) as CachedAnswer);
    } catch {
      this.#metrics.cacheLookups.inc({ route, result: 'error' });
      return undefined;
    }
  }

  /** Stores an answer; complete answers only (finish reason stop or tool_calls). */
  async store(key: string, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    const finish = answer.completion.choices[0]?.finish_reason;
    if (finish !== 'stop' && finish !== 'tool_calls') return;
    try {
      await this.#state.set(key, JSON.stringify(answer), ttlSeconds);
    } catch {
      // A cache that cannot store only costs a later miss.
    }
  }
}

/** Replays a cached completion as the chunks a stream of it would have carried. */
export function completionAsChunks(
  completion: ChatCompletion,
  includeUsage: boolean,
): ChatCompletionChunk[] {
  const base = {
    id: completion.id,
    object: 'chat.completion.chunk' as const,
    created: completion.created,
    model: completion.model,
  };
  const choice = completion.choices[0];
  const message = choice?.message;
  const toolCalls = (message?.tool_calls ?? []).map((call, index) => ({
    index,
    id: call.id,
    type: 'function' as const,
    function: call.function,
  }));
  const chunks: ChatCompletionChunk[] = [
    {
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    },
    {
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            content: message?.content ?? '',
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: null,
        },
      ],
    },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: choice?.finish_reason ?? 'stop' }] },
  ];
  if (includeUsage && completion.usage !== undefined)
    chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}
