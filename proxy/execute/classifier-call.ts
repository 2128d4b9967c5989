import type { ChatCompletionRequest } from '../../core/openai/types.ts';
import { parseClassifierAnswer } from '../../core/routing/classify.ts';
import type {
  AskClassifier,
  ClassifierOutcome,
  ClassifierVerdict,
} from '../../core/routing/decide.ts';
import { satisfiesPool } from '../../core/routing/governance.ts';
import type { IndexedRoute, ResolvedTarget } from '../../core/routing/route-index.ts';
import type { RoutingInput } from '../../core/routing/routing-input.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { upstreamTarget } from './chat-attempts.ts';

/** Characters of the user's text shown to the classifier: enough to judge, cheap to send. */
const MAX_CLASSIFIER_INPUT_CHARS = 2000;

/**
 * The proxy's way of asking a policy's cheap classifier model which tier a request needs. Every
 * call ends in a verdict — answered, timeout, error, unusable answer, or skipped — counted in
 * `switchyard_classifier_calls_total` and timed, so the caller falls back to the default tier and
 * the log line says why: the classifier may improve routing but never fail a request. Sensitive
 * requests only reach a classifier inside the governance pool.
 */
export function classifierOf(ctx: ProxyContext): AskClassifier {
  return async (route, input, sensitive) => {
    const startedMs = ctx.now();
    const verdict = await ask(ctx, route, input, sensitive);
    const durationMs = ctx.now() - startedMs;
    const labels = { route: route.config.alias, outcome: verdict.outcome };
    ctx.metrics.classifierCalls.inc(labels);
    if (!verdict.outcome.startsWith('skipped'))
      ctx.metrics.classifierDuration.observe(labels, durationMs / 1000);
    return { ...verdict, durationMs };
  };
}

type Answer = Omit<ClassifierVerdict, 'durationMs'>;

async function ask(
  ctx: ProxyContext,
  route: IndexedRoute,
  input: RoutingInput,
  sensitive: boolean,
): Promise<Answer> {
  const settings = route.config.classification.classifier;
  if (settings === undefined) return skipped('skipped_unavailable');
  const target = ctx.config.current?.targets.get(`${settings.provider}/${settings.model}`);
  const unavailable = whyNotAsked(ctx, route, target, sensitive);
  if (unavailable !== undefined || target === undefined)
    return skipped(unavailable ?? 'skipped_unavailable');
  const request = classifierRequest(route, input, target.key);
  const adapter = ctx.adapterFor(target.provider.api);
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await ctx.upstream.sendAndRead(
      adapter.buildChatRequest(request, upstreamTarget(target, ctx.credentials)),
      signal,
    );
    if (response.statusCode !== 200) return skipped('error');
    const parsed = adapter.parseChatResponse(response.text, {
      responseModel: target.key,
      request,
      createdSeconds: 0,
      fallbackId: 'classifier',
    });
    const answer = parsed.completion.choices[0]?.message.content;
    const tier = typeof answer === 'string' ? parseClassifierAnswer(route, answer) : undefined;
    return tier === undefined ? skipped('unusable') : { outcome: 'answered', tier };
  } catch {
    return skipped(signal.aborted ? 'timeout' : 'error');
  }
}

/** Why the classifier cannot be asked right now, if it cannot. */
function whyNotAsked(
  ctx: ProxyContext,
  route: IndexedRoute,
  target: ResolvedTarget | undefined,
  sensitive: boolean,
): ClassifierOutcome | undefined {
  if (target === undefined) return 'skipped_unavailable';
  const pool = route.config.governance?.pool;
  if (sensitive && pool !== undefined && !satisfiesPool(target.provider.dataPolicy, pool))
    return 'skipped_outside_pool';
  if (ctx.health.health(target.key).circuit === 'open') return 'skipped_circuit_open';
  return undefined;
}

function skipped(outcome: ClassifierOutcome): Answer {
  return { outcome };
}

function classifierRequest(
  route: IndexedRoute,
  input: RoutingInput,
  model: string,
): ChatCompletionRequest {
  const tiers = route.tiers.map(
    (t, i) =>
      `${t.name}${i === 0 ? ' (cheapest, simple requests)' : i === route.tiers.length - 1 ? ' (most capable, hard requests)' : ''}`,
  );
  return {
    model,
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
}
