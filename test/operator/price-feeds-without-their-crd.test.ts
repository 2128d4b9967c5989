// `helm upgrade` never installs a CRD the chart did not have before, so an upgraded operator can
// run before anyone installs the PriceFeed CRD. It must still turn ready and publish (no feeds),
// and pick PriceFeeds up once the CRD is installed, without a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../operator/log/logger.ts';
import type { RunningOperator } from '../../operator/main.ts';
import { startFeedServer, type FeedServer } from '../fakes/feed-server.ts';
import {
  applyYaml,
  crdPaths,
  readPublished,
  startOperatorCluster,
  startTestOperator,
  waitFor,
  type OperatorCluster,
} from './operator-cluster.ts';

const provider = (feedRef: string) => `apiVersion: switchyard.dev/v1alpha1
kind: ModelProvider
metadata: { name: local, namespace: default }
spec:
  api: openai
  baseURL: http://127.0.0.1:9/v1
  models:
    - name: m
      contextWindow: 8192
      pricing: { inputPerMillion: 1, outputPerMillion: 2${feedRef} }`;

const FEED = JSON.stringify({
  data: [
    {
      id: 'vendor/m',
      context_length: 8192,
      pricing: { prompt: '0.0000008', completion: '0.0000016' },
    },
  ],
});

describe('an operator on a cluster without the PriceFeed CRD', () => {
  let cluster: OperatorCluster;
  let operator: RunningOperator | undefined;
  let feed: FeedServer;
  const logs: string[] = [];

  before(async () => {
    cluster = await startOperatorCluster(crdPaths().filter((path) => !path.includes('pricefeeds')));
    feed = await startFeedServer(FEED);
  });

  after(async () => {
    await operator?.stop();
    await feed?.close();
    await cluster?.cp.stop();
  });

  test('turns ready and publishes, with models at their static prices', async () => {
    await applyYaml(cluster.cp, provider(', feedRef: { name: prices, id: vendor/m }'));
    operator = await startTestOperator(cluster, {
      log: createLogger('warn', (line) => logs.push(line)),
      priceFeeds: { minuteMs: 1000, initialRetryMs: 200, maxRetryMs: 1000 },
    });
    await operator.synced();
    const ready = await fetch(`http://127.0.0.1:${operator.port}/readyz`);
    assert.equal(ready.status, 200);
    const published = await waitFor('the config', () => readPublished(cluster.cp));
    assert.equal(published.config.providers[0]?.models[0]?.pricing.inputPerMillion, 1);
    assert.match(
      logs.join(''),
      /"msg":"collection not served; treated as empty until it is","resource":"pricefeeds"/,
    );
  });

  test('follows a PriceFeed once the CRD is installed, without a restart', async () => {
    await cluster.cp.applyCrds(crdPaths().filter((path) => path.includes('pricefeeds')));
    await applyYaml(
      cluster.cp,
      `apiVersion: switchyard.dev/v1alpha1
kind: PriceFeed
metadata: { name: prices, namespace: default }
spec: { url: '${feed.url}/api/v1/models', format: openrouter, intervalMinutes: 1, timeoutSeconds: 2 }`,
    );
    const published = await waitFor(
      'the feed price to be published',
      async () => {
        const current = await readPublished(cluster.cp);
        return current?.config.providers[0]?.models[0]?.pricing.inputPerMillion === 0.8
          ? current
          : undefined;
      },
      20_000,
    );
    assert.equal(published.config.providers[0]?.models[0]?.pricing.outputPerMillion, 1.6);
  });
});
