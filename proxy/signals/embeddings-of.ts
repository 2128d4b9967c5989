import type { AskEmbeddings } from '../../core/routing/decide.ts';
import type { ProxyContext } from '../proxy-context.ts';

/**
 * decide()'s embeddings signal for this proxy: the policy's embeddings target resolved in the
 * current config, asked through the proxy's EmbeddingSignal (cache, timeout, circuit).
 */
export function embeddingsOf(ctx: Pick<ProxyContext, 'config' | 'embeddings'>): AskEmbeddings {
  return (route, input, sensitive) => {
    const settings = route.config.classification.embeddings;
    const target =
      settings === undefined
        ? undefined
        : ctx.config.current?.targets.get(`${settings.provider}/${settings.model}`);
    return ctx.embeddings.classify(route, target, input, sensitive);
  };
}
