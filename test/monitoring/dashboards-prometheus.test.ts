// The boards and the alerts against the real thing: a real Prometheus scrapes two proxies and the
// operator while the test sends traffic through them with the OpenAI SDK and breaks things (a
// provider goes down, a budget burns, Redis goes away, the operator loses the API server). The
// shipped alert rules run in that Prometheus; every query of every dashboard panel must return
// series, except panels waiting for a feature that does not exist yet (scripts/gen/monitoring/
// features.ts), which must still parse.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import {
  FEATURE_METRICS,
  featureOf,
  metricsIn,
  type Feature,
} from '../../scripts/gen/monitoring/features.ts';
import { DASHBOARDS, dashboardFile } from '../../scripts/gen/monitoring/monitoring-files.ts';
import type { PromAlert } from '../harness/prometheus.ts';
import { repoRoot } from '../harness/tools.ts';
import {
  eventually,
  FLEET_NAMESPACE,
  startMonitoredFleet,
  type MonitoredFleet,
} from './monitoring-fleet.ts';

/**
 * Features whose metrics no component exports yet; their panels are checked once they land. When
 * one lands the test below fails: remove it here and its panels are held to returning series.
 */
const NOT_YET_BUILT: readonly Feature[] = [
  'rule-hits',
  'hedges',
  'attempt-skips',
  'semantic-cache',
];

/** Grafana's built-in variables as a dashboard would expand them, and "All" for ours. */
const VARIABLES: Record<string, string> = {
  $__rate_interval: '1m',
  $__range: '1h',
  $namespace: '.*',
  $route: '.*',
  $provider: '.*',
};

function expand(expr: string): string {
  return expr.replace(
    /\$__rate_interval|\$__range|\$namespace|\$route|\$provider/g,
    (v) => VARIABLES[v]!,
  );
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

function boardPanels(uid: string): Panel[] {
  const board = JSON.parse(readFileSync(join(repoRoot, dashboardFile(uid)), 'utf8')) as {
    panels: Panel[];
  };
  return board.panels.filter((panel) => panel.type !== 'row');
}

let fleet: MonitoredFleet;
let clients: OpenAI[];

before(async () => {
  fleet = await startMonitoredFleet();
  clients = fleet.proxies.map(
    (proxy) => new OpenAI({ baseURL: proxy.url, apiKey: 'unused', maxRetries: 0 }),
  );
});
after(async () => {
  await fleet?.stop();
});

type Chat = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

/** One chat completion through proxy `index`; resolves to the HTTP status. */
async function chat(
  index: number,
  body: Partial<Chat>,
  headers: Record<string, string> = {},
): Promise<number> {
  try {
    await clients[index]!.chat.completions.create(
      { model: 'auto', messages: [{ role: 'user', content: 'hello' }], ...body },
      { headers },
    );
    return 200;
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status !== undefined) return error.status;
    throw error;
  }
}

async function stream(index: number, content: string): Promise<void> {
  const chunks = await clients[index]!.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content }],
    stream: true,
  });
  for await (const _ of chunks) void _;
}

async function firing(
  name: string,
  labels: Record<string, string> = {},
): Promise<PromAlert | undefined> {
  const alerts = await fleet.prometheus.alerts();
  return alerts.find(
    (alert) =>
      alert.labels['alertname'] === name &&
      alert.state === 'firing' &&
      Object.entries(labels).every(([key, value]) => alert.labels[key] === value),
  );
}

const message = (content: string): Partial<Chat> => ({ messages: [{ role: 'user', content }] });

describe('the dashboards and alerts on a real Prometheus scraping two proxies and the operator', () => {
  test('ordinary traffic through both proxies raises none of the fleet alerts', async () => {
    for (const index of [0, 1]) {
      for (let i = 0; i < 4; i++)
        assert.equal(
          await chat(index, message(`hello ${index} ${i}`), {
            'x-switchyard-tenant': `team-${i % 2}`,
            'x-switchyard-feature': i % 2 === 0 ? 'search' : 'summaries',
          }),
          200,
        );
      assert.equal(await chat(index, message('explain step-by-step')), 200);
      assert.equal(
        await chat(index, message('tier please'), { 'x-switchyard-tier': 'premium' }),
        200,
      );
      await stream(index, `stream ${index}`);
      // The same request twice: the second is an exact-cache hit, shared through Redis.
      assert.equal(await chat(index, message('cache me')), 200);
      assert.equal(
        await chat(index, {
          ...message('a json answer'),
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'reply', schema: { type: 'object' } },
          },
        }),
        200,
      );
      assert.equal(await chat(index, { model: 'steady' }), 200);
      assert.equal(await chat(index, { model: 'smart', ...message('prove it rigorously') }), 200);
      assert.equal(await chat(index, { model: 'thrifty' }), 200);
      for (let i = 0; i < 4; i++) {
        assert.equal(await chat(index, { model: 'judged', ...message(`judge me ${i}`) }), 200);
      }
    }
    // A retry on the cheap target, then a fallback to the backup.
    fleet.fakes.cheap.script([{ status: 503 }, { status: 503 }]);
    assert.equal(await chat(0, message('fail over')), 200);
    // Every target of a route fails: the client gets a 502 (origin provider).
    fleet.fakes.cheap.script({ status: 503 });
    assert.equal(await chat(1, { model: 'solo' }), 502);
    // The caller's fault and the policy's.
    assert.equal(await chat(0, { model: 'no-such-alias' }), 404);
    assert.equal(await chat(1, { model: 'closed' }), 429);

    await fleet.prometheus.waitFor(
      'sum(switchyard_requests_total{code="200"})',
      (r) => Number(r.result[0]?.value[1]) >= 23,
      20_000,
    );
    // Give the rules a few evaluations over the scraped traffic.
    await delay(2000);
    const alerts = await fleet.prometheus.alerts();
    const raised = alerts.map((alert) => alert.labels['alertname']);
    for (const name of [
      'SwitchyardProxyWithoutConfig',
      'SwitchyardNoReadyProxy',
      'SwitchyardConfigHashMismatch',
      'SwitchyardConfigRefused',
      'SwitchyardOperatorNotLeading',
      'SwitchyardProviderCircuitOpen',
      'SwitchyardBudgetStoreUnreachable',
    ]) {
      assert.ok(
        !raised.includes(name),
        `${name} raised on a healthy fleet: ${JSON.stringify(alerts)}`,
      );
    }
  });

  test('a budget spent far faster than its cap allows fires SwitchyardBudgetFastBurn with its numbers', async () => {
    for (let i = 0; i < 6; i++) {
      assert.equal(await chat(i % 2, { model: 'thrifty', ...message(`burn ${i}`) }), 200);
      await delay(300);
    }
    const alert = await eventually('SwitchyardBudgetFastBurn to fire for thrifty', () =>
      firing('SwitchyardBudgetFastBurn', { route: 'thrifty', namespace: FLEET_NAMESPACE }),
    ).catch(async (error: Error) => {
      const seen = await Promise.all(
        [
          'switchyard:budget_burn_rate:5m',
          'switchyard:budget_limit_usd',
          'switchyard_cost_usd_total{route="thrifty"}',
        ].map(async (q) => `${q} = ${JSON.stringify((await fleet.prometheus.query(q)).result)}`),
      );
      throw new Error(
        `${error.message}\n${seen.join('\n')}\n${JSON.stringify(await fleet.prometheus.alerts())}`,
      );
    });
    assert.equal(alert.labels['severity'], 'critical');
    assert.ok(Number(alert.value) > 14.4, `burn rate ${alert.value}`);
    assert.match(
      alert.annotations['description'] ?? '',
      /^Over the last hour route thrifty \(namespace ai\) spent [\d.]+× the rate its monthly cap allows .* Month to date: 0\.\d\d USD of its 0\.01 USD cap\.$/,
    );
    assert.ok(!(await firing('SwitchyardBudgetFastBurn', { route: 'auto' })), 'auto is on pace');
  });

  test('a provider that goes down fires SwitchyardProviderCircuitOpen, counting the pods that see it', async () => {
    await fleet.fakes.backup.close();
    for (const index of [0, 1]) {
      for (let i = 0; i < 3; i++) assert.equal(await chat(index, { model: 'steady' }), 200);
    }
    const alert = await eventually('SwitchyardProviderCircuitOpen to fire for backup/medium', () =>
      firing('SwitchyardProviderCircuitOpen', { provider: 'backup', model: 'medium' }),
    );
    assert.equal(alert.labels['severity'], 'warning');
    assert.equal(Number(alert.value), 2);
    assert.match(alert.annotations['description'] ?? '', /on 2 proxy pod\(s\)/);
    assert.match(
      alert.annotations['runbook_url'] ?? '',
      /operations\.md#switchyardprovidercircuitopen$/,
    );
    assert.ok(!(await firing('SwitchyardProviderCircuitOpen', { provider: 'cheap' })));
  });

  test('Redis going away makes budget checks fail open, and the operator losing the API server restarts its watches', async () => {
    await fleet.redis.stop();
    // Spread over a few scrapes: a counter's first sample is not an increase, its next ones are.
    for (let i = 0; i < 8; i++) {
      assert.equal(await chat(i % 2, message(`no redis ${i}`)), 200);
      await delay(300);
    }
    await fleet.operatorGate.close();
    await delay(300);
    await fleet.operatorGate.open();
    await fleet.prometheus.waitFor(
      'sum(switchyard_operator_informer_restarts_total)',
      (r) => Number(r.result[0]?.value[1]) > 0,
      20_000,
    );
    await eventually('SwitchyardBudgetStoreUnreachable to fire', () =>
      firing('SwitchyardBudgetStoreUnreachable', { route: 'auto' }),
    );
  });

  test('the features the pending panels wait for are still missing from every /metrics', async () => {
    const texts = await Promise.all(
      [
        ...fleet.proxies.map((p) => p.metricsUrl ?? ''),
        `http://127.0.0.1:${fleet.operator.port}/metrics`,
      ].map(async (url) => (await fetch(url)).text()),
    );
    for (const feature of NOT_YET_BUILT) {
      for (const metric of FEATURE_METRICS[feature]) {
        assert.ok(
          // Declared is enough: a registered metric prints its HELP line before any sample.
          !texts.some((text) => text.includes(`# HELP ${metric} `)),
          `${metric} exists now: remove "${feature}" from NOT_YET_BUILT so its panels are checked`,
        );
      }
    }
  });

  for (const board of DASHBOARDS) {
    test(`every query of ${board.uid} parses, and returns series unless its feature is not built yet`, async (t) => {
      // A range's worth of scrapes after the last traffic, so rate() and increase() have two points.
      await delay(1000);
      const empty: string[] = [];
      const pending: string[] = [];
      for (const panel of boardPanels(board.uid)) {
        for (const { expr } of panel.targets ?? []) {
          const metrics = metricsIn(expr);
          const waiting = metrics
            .map(featureOf)
            .filter((f) => f !== undefined && NOT_YET_BUILT.includes(f));
          const result = await fleet.prometheus.query(expand(expr));
          if (waiting.length > 0) {
            pending.push(`${panel.title} (${waiting.join(', ')})`);
            continue;
          }
          if (result.result.length === 0) empty.push(`${panel.title}: ${expr}`);
        }
      }
      assert.deepEqual(empty, [], 'panels without data');
      if (pending.length > 0) t.diagnostic(`waiting for their feature: ${pending.join('; ')}`);
    });
  }

  test('the template variables list the namespace, the routes and the providers', async () => {
    assert.deepEqual(await fleet.prometheus.labelValues('namespace', 'switchyard_config_info'), [
      FLEET_NAMESPACE,
    ]);
    const routes = await fleet.prometheus.labelValues(
      'route',
      'switchyard_requests_total{namespace=~"ai"}',
    );
    for (const route of ['auto', 'steady', 'thrifty', 'solo', 'closed'])
      assert.ok(routes.includes(route), route);
    const providers = await fleet.prometheus.labelValues(
      'provider',
      'switchyard_upstream_attempts_total{namespace=~"ai"}',
    );
    assert.deepEqual(providers, ['backup', 'cheap', 'claude']);
  });
});
