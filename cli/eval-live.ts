import { compile } from '../core/compile/compile.ts';
import type { AskClassifier, AskEmbeddings } from '../core/routing/decide.ts';
import type { IndexedRoute } from '../core/routing/route-index.ts';
import { startProxy, type RunningProxy } from '../proxy/proxy.ts';
import type { loadManifests } from './load-manifests.ts';
import { withEnvironmentSecrets } from './serve-manifests.ts';

/** The network signals of a real proxy, for `switchyard eval --live`. */
export interface LiveSignals {
  askClassifier: AskClassifier;
  askEmbeddings: AskEmbeddings;
  /** The live proxy's own copy of the route, which its signals expect. */
  route: (alias: string) => IndexedRoute | undefined;
  close(): Promise<void>;
}

/**
 * Starts a proxy in this process (loopback, no request log) on the same manifests and secrets as
 * `serve --manifests`, and hands out its classifier and embeddings signals: `eval --live` then
 * calls the configured targets exactly as the proxy does — same adapters, credentials, timeouts,
 * circuits and embeddings cache. The exemplars of every embeddings signal are embedded first,
 * so the evaluation does not count the warm-up.
 */
export async function startLiveSignals(
  loaded: Awaited<ReturnType<typeof loadManifests>>,
): Promise<LiveSignals> {
  const proxy: RunningProxy = await startProxy({
    port: 0,
    metricsPort: null,
    host: '127.0.0.1',
    log: () => {},
    drainMs: 0,
  });
  const secrets = new Map(loaded.secretsValues);
  proxy.ctx.credentials.replace(secrets);
  const applied = proxy.ctx.config.swap(
    compile(withEnvironmentSecrets(loaded.snapshot, secrets)).config,
  );
  if (!applied.ok) {
    await proxy.close();
    throw new Error(`the live proxy refused the config: ${applied.error}`);
  }
  const index = proxy.ctx.config.current;
  for (const route of index?.routes.values() ?? []) {
    const settings = route.config.classification.embeddings;
    const target = settings && index?.targets.get(`${settings.provider}/${settings.model}`);
    if (target !== undefined) await proxy.ctx.embeddings.warm(route, target);
  }
  return {
    askClassifier: once(proxy.ctx.askClassifier),
    askEmbeddings: proxy.ctx.askEmbeddings,
    route: (alias) => proxy.ctx.config.current?.routes.get(alias),
    close: () => proxy.close(),
  };
}

/**
 * The classifier asked once per request: the sweep and the calibration decide every prompt many
 * times over, and its answer does not depend on the scorer's threshold. (The embeddings signal
 * caches per text on its own.)
 */
function once(ask: AskClassifier): AskClassifier {
  const asked = new WeakMap<object, ReturnType<AskClassifier>>();
  return (route, input, sensitive) => {
    const known = asked.get(input);
    if (known !== undefined) return known;
    const verdict = ask(route, input, sensitive);
    asked.set(input, verdict);
    return verdict;
  };
}
