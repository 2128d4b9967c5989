// Measurement 1: from `kubectl apply` of a RoutePolicy edit to every proxy serving it. Each change
// gives the policy a new alias (and a new rule keyword); a proxy serves the change when a chat
// completion for the new alias answers 200, which also proves the route reaches the provider.
// The same change is timestamped on the way: kubectl's exit, the API server's watch event (the
// baseline), and the ConfigMap the operator publishes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnv, ProxyChild } from './bench-env.ts';
import { publishedText } from './bench-env.ts';
import { editedPolicy } from './manifests.ts';
import { wallMs } from './messages.ts';

/** One change, every time in ms after the moment kubectl was started. */
export interface PropagationSample {
  kubectlMs: number;
  /** The API server's watch event for the edited policy reached a bare watch. */
  apiEventMs: number;
  /** The operator's ConfigMap carrying the change reached a bare watch. */
  publishedMs: number;
  /** Each proxy answered the new alias. */
  proxiesMs: number[];
  /** The slowest proxy: every proxy serves the change. */
  allMs: number;
}

/** How often each proxy is asked whether it serves the new alias. */
const POLL_MS = 10;
/** Pause between changes, so one change's status writes do not overlap the next one. */
const GAP_MS = 300;

/** Sends one chat completion for `alias`; resolves with the HTTP status. */
async function chatStatus(proxy: ProxyChild, alias: string): Promise<number> {
  const res = await fetch(`${proxy.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: alias, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Resolves with the wall time at which `proxy` first answered `alias` with 200. */
async function servedAt(proxy: ProxyChild, alias: string, deadlineMs: number): Promise<number> {
  for (;;) {
    const status = await chatStatus(proxy, alias);
    if (status === 200) return wallMs();
    if (wallMs() > deadlineMs) throw new Error(`${proxy.child.name} never served ${alias}`);
    await sleep(POLL_MS);
  }
}

/** Applies one change and times it. */
async function measureChange(env: BenchEnv, alias: string, keyword: string) {
  const fromPolicy = env.policies.events.length;
  const fromConfig = env.configMap.events.length;
  const started = wallMs();
  const deadline = started + 30_000;
  const kubectl = env.cluster.cp
    .kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(editedPolicy(alias, keyword)) })
    .then(() => wallMs());
  const apiEvent = env.policies.next((event) => event.object.spec?.['model'] === alias, fromPolicy);
  const published = env.configMap.next(
    (event) => publishedText(event.object).includes(`"${alias}"`),
    fromConfig,
  );
  const proxies = Promise.all(env.proxies.map((proxy) => servedAt(proxy, alias, deadline)));
  const [kubectlAt, apiEventAt, publishedAt, proxiesAt] = await Promise.all([
    kubectl,
    apiEvent,
    published,
    proxies,
  ]);
  return {
    kubectlMs: kubectlAt - started,
    apiEventMs: apiEventAt.atMs - started,
    publishedMs: publishedAt.atMs - started,
    proxiesMs: proxiesAt.map((at) => at - started),
    allMs: Math.max(...proxiesAt) - started,
  };
}

/** Applies `changes` edits one after another and times each; `tag` keeps aliases unique. */
export async function measurePropagation(
  env: BenchEnv,
  changes: number,
  tag: string,
): Promise<PropagationSample[]> {
  const samples: PropagationSample[] = [];
  for (let index = 1; index <= changes; index++) {
    samples.push(await measureChange(env, `edit-${tag}-${index}`, `kw-${tag}-${index}`));
    await sleep(GAP_MS);
  }
  return samples;
}
