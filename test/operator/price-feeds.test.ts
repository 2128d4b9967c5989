// Prices that follow a feed, end to end: a real API server and etcd, the operator as its service
// account, two proxies in cluster mode, fake providers, and price feeds served from loopback in
// OpenRouter's and LiteLLM's real document shapes. A price drop moves traffic; a tenfold jump is
// held until someone approves it with the annotation the status prints; a feed that is down,
// malformed or enormous changes nothing and says so; the feed's credential stays secret.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningOperator } from '../../operator/main.ts';
import { createLogger } from '../../operator/log/logger.ts';
import { startClusterProxies, stopClusterProxies, type ClusterProxy } from './cluster-proxies.ts';
import { startFakeProvider, type FakeProvider } from '../fakes/index.ts';
import { startFeedServer, type FeedServer } from '../fakes/feed-server.ts';
import { repoRoot } from '../harness/tools.ts';
import {
  applyYaml,
  readObject,
  readPublished,
  startOperatorCluster,
  startTestOperator,
  SYSTEM_NAMESPACE,
  waitFor,
  type OperatorCluster,
} from './operator-cluster.ts';

const API_KEY = `sk-fake-${randomBytes(12).toString('hex')}`;
const FEED_TOKEN = `feed-${randomBytes(16).toString('hex')}`;
const NS = 'apps';
const MiB = 1024 * 1024;

/** An OpenRouter /api/v1/models document with the two models the policy ranks. */
function openRouterDocument(prices: Record<'a' | 'b', [number, number]>): string {
  const model = (id: string, [input, output]: [number, number]) => ({
    id,
    canonical_slug: id,
    name: id,
    created: 1733506137,
    description: `${id} for tests`,
    context_length: 128000,
    architecture: {
      modality: 'text->text',
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'Other',
      instruct_type: null,
    },
    // Per-token strings, as OpenRouter writes them.
    pricing: {
      prompt: (input / 1e6).toFixed(12).replace(/0+$/, ''),
      completion: (output / 1e6).toFixed(12).replace(/0+$/, ''),
      request: '0',
      image: '0',
      web_search: '0',
      internal_reasoning: '0',
    },
    top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: false },
    per_request_limits: null,
    supported_parameters: ['max_tokens', 'temperature', 'tools', 'response_format'],
  });
  return JSON.stringify({
    data: [model('vendor/model-a', prices.a), model('vendor/model-b', prices.b)],
  });
}

function manifests(fakeUrl: string, openRouterUrl: string, liteLlmUrl: string): string {
  return `apiVersion: v1
kind: Namespace
metadata: { name: ${NS} }
---
apiVersion: v1
kind: Secret
metadata: { name: fake-key, namespace: ${NS} }
stringData: { apiKey: ${API_KEY} }
---
apiVersion: v1
kind: Secret
metadata: { name: feed-token, namespace: ${NS} }
stringData: { token: "${FEED_TOKEN}\\n" }
---
apiVersion: switchyard.dev/v1alpha1
kind: PriceFeed
metadata: { name: openrouter, namespace: ${NS} }
spec:
  url: ${openRouterUrl}/api/v1/models
  format: openrouter
  intervalMinutes: 1
  timeoutSeconds: 2
  auth: { secretRef: { name: feed-token } }
---
apiVersion: switchyard.dev/v1alpha1
kind: PriceFeed
metadata: { name: litellm, namespace: ${NS} }
spec:
  url: ${liteLlmUrl}/model_prices_and_context_window.json
  format: litellm
  intervalMinutes: 1
  timeoutSeconds: 2
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: fake, namespace: ${NS} }
spec:
  api: openai
  baseURL: ${fakeUrl}
  auth: { secretRef: { name: fake-key, key: apiKey } }
  models:
    - name: m-a
      contextWindow: 128000
      pricing: { inputPerMillion: 1, outputPerMillion: 4, feedRef: { name: openrouter, id: vendor/model-a } }
      capabilities: [json, streaming]
    - name: m-b
      contextWindow: 128000
      pricing: { inputPerMillion: 1.2, outputPerMillion: 4.8, feedRef: { name: openrouter, id: vendor/model-b } }
      capabilities: [json, streaming]
    - name: mini
      upstreamName: gpt-4o-mini
      contextWindow: 128000
      pricing: { inputPerMillion: 0.2, outputPerMillion: 0.8, feedRef: { name: litellm, id: gpt-4o-mini } }
---
apiVersion: switchyard.dev/v1alpha1
kind: RoutePolicy
metadata: { name: auto, namespace: ${NS} }
spec:
  model: auto
  tiers:
    - name: budget
      strategy: cheapest
      targets: [{ provider: fake, model: m-a }, { provider: fake, model: m-b }]`;
}

interface FeedStatus {
  lastSyncTime?: string;
  lastError?: { reason: string; message: string };
  modelCount?: number;
  prices?: { id: string; inputPerMillion?: number; outputPerMillion?: number }[];
  appliedChanges?: {
    id: string;
    field: string;
    from?: number;
    to: number;
    time: string;
    approved?: boolean;
  }[];
  heldChanges?: { id: string; field: string; from?: number; to: number; factor?: number }[];
  heldChangesDigest?: string;
  refusedChanges?: { id: string; field?: string; reason: string }[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

describe('price feeds against a real API server, with two proxies', () => {
  let cluster: OperatorCluster;
  let fake: FakeProvider;
  let openRouter: FeedServer;
  let liteLlm: FeedServer;
  let operator: RunningOperator | undefined;
  const logs: string[] = [];
  const proxies: ClusterProxy[] = [];

  const feedStatus = async (name: string): Promise<FeedStatus> => {
    const res = await cluster.cp.request(
      'GET',
      `/apis/switchyard.dev/v1alpha1/namespaces/${NS}/pricefeeds/${name}`,
    );
    assert.equal(res.status, 200, res.body);
    return (res.json as { status?: FeedStatus }).status ?? {};
  };
  const condition = (status: FeedStatus, type: string) =>
    status.conditions?.find((c) => c.type === type);
  const priceOf = (status: FeedStatus, id: string) => status.prices?.find((p) => p.id === id);

  /** The model every proxy answers `auto` with (undefined while they disagree). */
  const routedModel = async (): Promise<string | undefined> => {
    const models = await Promise.all(
      proxies.map(async ({ proxy }) => {
        const res = await fetch(`${proxy.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] }),
        });
        await res.arrayBuffer();
        return res.status === 200
          ? (res.headers.get('x-switchyard-model') ?? '')
          : `HTTP ${res.status}`;
      }),
    );
    return models.every((model) => model === models[0]) ? models[0] : undefined;
  };
  const waitForRoute = (model: string, timeoutMs = 15_000) =>
    waitFor(
      `both proxies to route auto to ${model}`,
      async () => ((await routedModel()) === model ? true : undefined),
      timeoutMs,
      50,
    );

  const events = async (reason: string): Promise<{ message: string; type: string }[]> => {
    const list = JSON.parse(
      await cluster.cp.kubectlOk([
        'get',
        'events',
        '-n',
        NS,
        '--field-selector',
        `reason=${reason}`,
        '-o',
        'json',
      ]),
    ) as { items: { message: string; type: string; involvedObject: { kind: string } }[] };
    return list.items.filter((e) => e.involvedObject.kind === 'PriceFeed');
  };

  before(async () => {
    cluster = await startOperatorCluster();
    fake = await startFakeProvider({ api: 'openai', name: 'fake', apiKey: API_KEY });
    openRouter = await startFeedServer(openRouterDocument({ a: [1, 4], b: [1.2, 4.8] }));
    openRouter.requireHeader('Authorization', `Bearer ${FEED_TOKEN}`);
    liteLlm = await startFeedServer(
      readFileSync(join(repoRoot, 'test/fixtures/price-feeds/litellm-model-prices.json'), 'utf8'),
    );
    liteLlm.gzip = true;
    await applyYaml(cluster.cp, manifests(fake.url, openRouter.url, liteLlm.url));
    proxies.push(...(await startClusterProxies(cluster.proxyKubeconfig, 2)));
    operator = await startTestOperator(cluster, {
      log: createLogger('debug', (line) => logs.push(line)),
      // A minute of intervalMinutes lasts one second here: the feeds are read every second.
      priceFeeds: { minuteMs: 1000, initialRetryMs: 200, maxRetryMs: 1000 },
    });
    await Promise.all(proxies.map(({ watch }) => watch.ready));
  });

  after(async () => {
    await stopClusterProxies(proxies);
    await operator?.stop();
    await openRouter?.close();
    await liteLlm?.close();
    await fake?.close();
    await cluster?.cp.stop();
  });

  test('the first sync applies both feeds, and status says where every price in force comes from', async () => {
    const status = await waitFor('the OpenRouter feed to sync', async () => {
      const current = await feedStatus('openrouter');
      return priceOf(current, 'vendor/model-b') !== undefined ? current : undefined;
    });
    assert.equal(condition(status, 'Synced')?.status, 'True');
    assert.equal(condition(status, 'PricesApplied')?.status, 'True');
    assert.equal(status.modelCount, 2);
    assert.deepEqual(
      status.prices?.map(({ id, inputPerMillion, outputPerMillion }) => ({
        id,
        inputPerMillion,
        outputPerMillion,
      })),
      [
        { id: 'vendor/model-a', inputPerMillion: 1, outputPerMillion: 4 },
        { id: 'vendor/model-b', inputPerMillion: 1.2, outputPerMillion: 4.8 },
      ],
    );
    const lite = await waitFor('the LiteLLM feed to sync', async () => {
      const current = await feedStatus('litellm');
      return priceOf(current, 'gpt-4o-mini') !== undefined ? current : undefined;
    });
    const { updatedAt, ...mini } = priceOf(lite, 'gpt-4o-mini') as Record<string, unknown>;
    assert.deepEqual(mini, {
      id: 'gpt-4o-mini',
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
      cachedInputPerMillion: 0.075,
    });
    assert.match(String(updatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const provider = await waitFor('the provider status to show the feed prices', async () => {
      const current = await readObject(cluster.cp, 'modelproviders', 'fake', NS);
      const models = (
        current?.status as
          | { models?: { name: string; source: string; pricing: { inputPerMillion: number } }[] }
          | undefined
      )?.models;
      return models?.find((m) => m.name === 'mini')?.source === 'PriceFeed' ? models : undefined;
    });
    assert.equal(provider.find((m) => m.name === 'mini')?.pricing.inputPerMillion, 0.15);
    const published = await waitFor('the config to carry the LiteLLM price', async () => {
      const current = await readPublished(cluster.cp);
      const mini = current?.config.providers[0]?.models.find((m) => m.name === 'mini');
      return mini?.pricing.inputPerMillion === 0.15 ? current : undefined;
    });
    assert.equal(
      published.config.providers[0]?.models.find((m) => m.name === 'mini')?.pricing
        .cachedInputPerMillion,
      0.075,
    );
    await waitForRoute('m-a');
  });

  test('a price drop makes both proxies route to the new cheapest target within 10 s of the sync', async (t) => {
    openRouter.setDocument(openRouterDocument({ a: [1, 4], b: [0.5, 2] }));
    const synced = await waitFor('the drop to be applied', async () => {
      const current = await feedStatus('openrouter');
      return priceOf(current, 'vendor/model-b')?.inputPerMillion === 0.5 ? current : undefined;
    });
    const seen = performance.now();
    const appliedAt = Date.parse(synced.appliedChanges?.[0]?.time ?? '');
    await waitForRoute('m-b', 10_000);
    const routed = Date.now();
    t.diagnostic(
      `status showed the drop → both proxies on m-b: ${Math.round(performance.now() - seen)} ms (${routed - appliedAt} ms after the sync's whole-second timestamp)`,
    );
    assert.ok(routed - appliedAt < 11_000, `${routed - appliedAt} ms after the sync`);
    assert.deepEqual(
      synced.appliedChanges
        ?.slice(0, 2)
        .map(({ id, field, from, to }) => ({ id, field, from, to }))
        .sort((x, y) => x.field.localeCompare(y.field)),
      [
        { id: 'vendor/model-b', field: 'inputPerMillion', from: 1.2, to: 0.5 },
        { id: 'vendor/model-b', field: 'outputPerMillion', from: 4.8, to: 2 },
      ],
    );
    const changed = await waitFor('a PriceChanged event', async () => {
      const found = (await events('PriceChanged')).find((e) =>
        e.message.includes('inputPerMillion 1.2 → 0.5'),
      );
      return found;
    });
    assert.equal(changed.type, 'Normal');
    assert.match(changed.message, /^vendor\/model-b: .*outputPerMillion 4\.8 → 2 USD/);
  });

  test('a tenfold jump is held back, shown in status, and applied after the annotation it prints', async () => {
    openRouter.setDocument(openRouterDocument({ a: [1, 4], b: [0.5, 20] }));
    const held = await waitFor('the jump to be held', async () => {
      const current = await feedStatus('openrouter');
      return (current.heldChanges?.length ?? 0) > 0 ? current : undefined;
    });
    assert.deepEqual(held.heldChanges, [
      { id: 'vendor/model-b', field: 'outputPerMillion', from: 2, to: 20, factor: 10 },
    ]);
    assert.equal(priceOf(held, 'vendor/model-b')?.outputPerMillion, 2, 'the price in force stays');
    const applied = condition(held, 'PricesApplied');
    assert.deepEqual([applied?.status, applied?.reason], ['False', 'ChangesHeld']);
    const line = /run: (kubectl annotate pricefeed .+ --overwrite)$/.exec(
      applied?.message ?? '',
    )?.[1];
    assert.ok(line, applied?.message ?? 'no PricesApplied condition');
    assert.equal(
      line,
      `kubectl annotate pricefeed openrouter -n ${NS} switchyard.dev/approve-prices=${held.heldChangesDigest} --overwrite`,
    );
    const heldEvent = await waitFor(
      'a PriceChangeHeld event',
      async () => (await events('PriceChangeHeld'))[0],
    );
    assert.equal(heldEvent.type, 'Warning');
    assert.match(
      heldEvent.message,
      /outputPerMillion 2 → 20 USD moves by more than maxChangeFactor 3/,
    );
    // Several more syncs: still held, still the same digest, traffic still on the cheap price.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const later = await feedStatus('openrouter');
    assert.equal(later.heldChangesDigest, held.heldChangesDigest);
    assert.equal((await events('PriceChangeHeld')).length, 1, 'announced once');
    assert.equal(await routedModel(), 'm-b');

    // Approve exactly as the status says.
    await cluster.cp.kubectlOk(line.split(' ').slice(1));
    const approved = await waitFor('the approval to apply', async () => {
      const current = await feedStatus('openrouter');
      return priceOf(current, 'vendor/model-b')?.outputPerMillion === 20 ? current : undefined;
    });
    assert.deepEqual(approved.heldChanges, []);
    assert.equal(condition(approved, 'PricesApplied')?.status, 'True');
    assert.equal(approved.appliedChanges?.[0]?.approved, true);
    await waitForRoute('m-a');
  });

  test('an approval for an earlier set does not approve a new jump', async () => {
    openRouter.setDocument(openRouterDocument({ a: [1, 4], b: [0.5, 400] }));
    const held = await waitFor('the new jump to be held', async () => {
      const current = await feedStatus('openrouter');
      return current.heldChanges?.[0]?.to === 400 ? current : undefined;
    });
    assert.match(condition(held, 'PricesApplied')?.message ?? '', /approves an earlier set/);
    assert.equal(priceOf(held, 'vendor/model-b')?.outputPerMillion, 20);
    openRouter.setDocument(openRouterDocument({ a: [1, 4], b: [0.5, 20] }));
    await waitFor('the feed to return within the guard', async () =>
      ((await feedStatus('openrouter')).heldChanges?.length ?? 1) === 0 ? true : undefined,
    );
  });

  const keepsPrices = async (reason: string, message: RegExp): Promise<void> => {
    const before = await feedStatus('openrouter');
    const configBefore = (await readPublished(cluster.cp))?.config.configHash;
    const failed = await waitFor(`Synced=False ${reason}`, async () => {
      const current = await feedStatus('openrouter');
      return condition(current, 'Synced')?.reason === reason ? current : undefined;
    });
    assert.equal(condition(failed, 'Synced')?.status, 'False');
    assert.match(condition(failed, 'Synced')?.message ?? '', message);
    assert.match(
      condition(failed, 'Synced')?.message ?? '',
      /nothing changed: the prices in force stay/,
    );
    assert.equal(failed.lastError?.reason, reason);
    assert.deepEqual(failed.prices, before.prices);
    assert.equal(failed.lastSyncTime !== undefined, true);
    // A few retries later nothing has moved: not the prices, not the config, not the traffic.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual((await feedStatus('openrouter')).prices, before.prices);
    assert.equal((await readPublished(cluster.cp))?.config.configHash, configBefore);
    assert.equal(await routedModel(), 'm-a');
  };

  const recovers = async (): Promise<void> => {
    openRouter.setMode({ kind: 'serve' });
    openRouter.setDocument(openRouterDocument({ a: [1, 4], b: [0.5, 20] }));
    await waitFor('the feed to sync again', async () =>
      condition(await feedStatus('openrouter'), 'Synced')?.status === 'True' ? true : undefined,
    );
  };

  test('a feed that is down keeps the last prices and sets Synced=False FetchFailed', async () => {
    openRouter.setMode({ kind: 'down' });
    await keepsPrices('FetchFailed', /GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/models failed/);
    const failedEvents = await events('SyncFailed');
    assert.ok(
      failedEvents.some((e) => e.message.startsWith('FetchFailed: ')),
      'a SyncFailed event',
    );
    await recovers();
  });

  test('a malformed feed changes nothing and says what is wrong with it', async () => {
    openRouter.setDocument('<html><body>502 Bad Gateway</body></html>');
    await keepsPrices('Malformed', /does not read as format openrouter: not JSON/);
    await recovers();
  });

  test('a 50 MB feed is refused by the size limit', async () => {
    openRouter.setMode({ kind: 'huge', bytes: 50 * MiB, declare: false });
    await keepsPrices('TooLarge', /larger than maxSizeMiB \(16 MiB\)/);
    await recovers();
  });

  const useSecretKey = (key: string): Promise<string> =>
    cluster.cp.kubectlOk(
      ['patch', 'pricefeed', 'openrouter', '-n', NS, '--type=merge', '-p'].concat(
        JSON.stringify({ spec: { auth: { secretRef: { name: 'feed-token', key } } } }),
      ),
    );

  test('a Secret without the key is reported, and the credential appears nowhere but on the wire', async () => {
    await useSecretKey('nope');
    await keepsPrices(
      'SecretKeyNotFound',
      /Secret apps\/feed-token has no key "nope" \(it has keys: token\)/,
    );
    await useSecretKey('token');
    await recovers();

    // The feed saw the credential (trimmed of the Secret's trailing newline) on every request…
    const authorized = openRouter.requests.filter((r) => r.status === 200);
    assert.ok(authorized.length > 3);
    for (const request of authorized)
      assert.equal(request.headers['authorization'], `Bearer ${FEED_TOKEN}`);
    // …and only the operator ever fetched: proxies never do.
    for (const request of [...openRouter.requests, ...liteLlm.requests]) {
      assert.equal(request.headers['user-agent'], 'switchyard-operator (price feed sync)');
    }
    const places = {
      priceFeeds: await cluster.cp.kubectlOk(['get', 'pricefeeds', '-A', '-o', 'json']),
      providers: await cluster.cp.kubectlOk(['get', 'mp', '-A', '-o', 'json']),
      events: await cluster.cp.kubectlOk(['get', 'events', '-A', '-o', 'json']),
      published: (await readPublished(cluster.cp))?.raw ?? '',
      credentials: await cluster.cp.kubectlOk([
        'get',
        'secret',
        'switchyard-credentials',
        '-n',
        SYSTEM_NAMESPACE,
        '-o',
        'json',
      ]),
      metrics: await (await fetch(`http://127.0.0.1:${operator!.port}/metrics`)).text(),
      logs: logs.join(''),
    };
    for (const [place, text] of Object.entries(places)) {
      assert.ok(!text.includes(FEED_TOKEN), `the feed credential appears in ${place}`);
      assert.ok(
        !text.includes(Buffer.from(FEED_TOKEN).toString('base64').slice(0, 20)),
        `base64 of it appears in ${place}`,
      );
    }
    assert.match(
      places.metrics,
      /switchyard_operator_price_feed_syncs_total\{outcome="failed",reason="TooLarge"\} [1-9]/,
    );
    assert.match(places.metrics, /switchyard_operator_price_changes_total\{outcome="approved"\} 1/);
    await waitFor('the feeds gauge to show both feeds synced', async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${operator!.port}/metrics`)).text();
      return /switchyard_operator_price_feeds\{condition="Synced",status="True"\} 2/.test(metrics)
        ? true
        : undefined;
    });
  });

  test('kubectl get pf shows the format, model count and both conditions', async () => {
    const table = await cluster.cp.kubectlOk(['get', 'pf', '-n', NS]);
    assert.match(table, /^NAME\s+FORMAT\s+MODELS\s+SYNCED\s+APPLIED\s+LAST SYNC\s+AGE$/m);
    assert.match(table, /^openrouter\s+openrouter\s+2\s+True\s+True\s+/m);
    assert.match(table, /^litellm\s+litellm\s+7\s+True\s+True\s+/m);
  });

  test('deleting a feed puts its models back on their static prices', async () => {
    await cluster.cp.kubectlOk(['delete', 'pricefeed', 'openrouter', '-n', NS]);
    const published = await waitFor('the static prices to be published', async () => {
      const current = await readPublished(cluster.cp);
      const b = current?.config.providers[0]?.models.find((m) => m.name === 'm-b');
      return b?.pricing.outputPerMillion === 4.8 ? current : undefined;
    });
    assert.equal(
      published.config.providers[0]?.models.find((m) => m.name === 'm-a')?.pricing.inputPerMillion,
      1,
    );
    // Status follows publication in its own lane.
    await waitFor('status.models to say the static price is back', async () => {
      const provider = await readObject(cluster.cp, 'modelproviders', 'fake', NS);
      const models = (provider?.status as { models?: { name: string; message: string }[] }).models;
      return /PriceFeed apps\/openrouter not found; spec\.pricing is in force/.test(
        models?.find((m) => m.name === 'm-b')?.message ?? '',
      )
        ? true
        : undefined;
    });
  });
});
