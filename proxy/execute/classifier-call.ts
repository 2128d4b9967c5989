import { parseClassifierAnswer } from '../../core/routing/classify.ts';
import { satisfiesPool } from '../../core/routing/governance.ts';
import type { IndexedRoute } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { upstreamTarget } from './chat-attempts.ts';

/** Characters of the user's text shown to the classifier: enough to judge, cheap to send. */
const MAX_CLASSIFIER_INPUT_CHARS = 2000;

/**
 * Asks the policy's cheap classifier model which tier a request needs. Returns undefined on any
 * failure, timeout or unusable answer, so the caller falls back to the default tier: the
 * classifier may improve routing but never fail a request. Sensitive requests only reach a
 * classifier inside the governance pool.
 */
export async function askClassifier(
  route: IndexedRoute,
  input: RoutingInput,
  sensitive: boolean,
  ctx: ProxyContext,
): Promise<string | undefined> {
  const settings = route.config.classification.classifier;
  if (settings === undefined) return undefined;
  const target = ctx.config.current?.targets.get(`${settings.provider}/${settings.model}`);
  if (target === undefined) return undefined;
  const pool = route.config.governance?.pool;
  if (sensitive && pool !== undefined && !satisfiesPool(target.provider.dataPolicy, pool))
    return undefined;
  if (ctx.health.health(target.key).circuit === 'open') return undefined;
  const tiers = route.tiers.map(
    (t, i) =>
      `${t.name}${i === 0 ? ' (cheapest, simple requests)' : i === route.tiers.length - 1 ? ' (most capable, hard requests)' : ''}`,
  );
  const request: ChatCompletionRequest = {
    model: target.key,
    messages: [
      {
        role: 'system',
        content: `Pick the tier a request needs. Tiers, cheapest first: ${tiers.join(', ')}. Answer with the tier name only.`,
      },
      { role: 'user', content: input.userTextLower.slice(0, MAX_CLASSIFIER_INPUT_CHARS) },
    ],
    max_tokens: 8,
    temperature: 0,
  };
  const adapter = ctx.adapterFor(target.provider.api);
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await ctx.upstream.sendAndRead(
      adapter.buildChatRequest(request, upstreamTarget(target, ctx.credentials)),
      signal,
    );
    const { text } = response;
    if (response.statusCode !== 200) return undefined;
    const parsed = adapter.parseChatResponse(text, {
      responseModel: target.key,
      request,
      createdSeconds: 0,
      fallbackId: 'classifier',
    });
    const answer = parsed.completion.choices[0]?.message.content;
    return typeof answer === 'string' ? parseClassifierAnswer(route, answer) : undefined;
  } catch {
    return undefined;
  }
}
