// A throwaway Prometheus (Debian's prometheus) scraping given targets, with its TSDB in a temp
// folder, on a free loopback port, and helpers to query it and wait for a PromQL condition.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './ports.ts';
import { makeTempDir, removeTempDir, startProcess, waitUntil } from './processes.ts';
import { systemBinary } from './tools.ts';

/** Options for startPrometheus. */
export interface PrometheusOptions {
  /**
   * What to scrape: `host:port` (path /metrics) or a full URL such as
   * `http://127.0.0.1:9100/custom-metrics`.
   */
  readonly scrapeTargets: readonly string[];
  /** Scrape (and rule evaluation) interval; default 1000 ms. */
  readonly scrapeIntervalMs?: number;
  /** Value of the `job` label; default `switchyard`. */
  readonly jobName?: string;
  /** Extra labels on every scraped series, e.g. `{namespace: 'ai'}` as Kubernetes discovery adds. */
  readonly targetLabels?: Readonly<Record<string, string>>;
  /** Rules files to load (`rule_files`), evaluated every scrape interval. */
  readonly ruleFiles?: readonly string[];
  readonly timeoutMs?: number;
}

/** One alert as `GET /api/v1/alerts` reports it. */
export interface PromAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  readonly value: string;
}

/** One series of an instant-vector result. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  /** `[unix seconds, value as a string]`, as the HTTP API returns it. */
  readonly value: readonly [number, string];
}

/** The `data` of a Prometheus query response. */
export interface PromQueryResult {
  readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /** Vector results are PromSample[]; other types are passed through as the API returns them. */
  readonly result: PromSample[];
}

/** A running Prometheus. */
export interface Prometheus {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The generated configuration file. */
  readonly configFile: string;
  readonly logFile: string;
  /** Runs an instant query and returns its `data`; throws on a query error. */
  query(promql: string): Promise<PromQueryResult>;
  /** The values of label `name` on the series matching `match` (the label values API). */
  labelValues(name: string, match: string): Promise<string[]>;
  /** The alerts pending or firing now. */
  alerts(): Promise<PromAlert[]>;
  /** Re-runs `promql` until `predicate` accepts the result; returns that result. */
  waitFor(
    promql: string,
    predicate: (result: PromQueryResult) => boolean,
    timeoutMs?: number,
  ): Promise<PromQueryResult>;
  /** Kills Prometheus and removes its temp folder. */
  stop(): Promise<void>;
}

interface ScrapeGroup {
  scheme: string;
  metricsPath: string;
  targets: string[];
}

function groupTargets(targets: readonly string[]): ScrapeGroup[] {
  // A scrape config has one scheme and path, so targets are grouped by them.
  const groups = new Map<string, ScrapeGroup>();
  for (const target of targets) {
    const url = new URL(/^[a-z]+:\/\//.test(target) ? target : `http://${target}/metrics`);
    const scheme = url.protocol.replace(/:$/, '');
    const metricsPath = url.pathname === '/' ? '/metrics' : url.pathname;
    const key = `${scheme} ${metricsPath}`;
    const group = groups.get(key) ?? { scheme, metricsPath, targets: [] };
    group.targets.push(url.host);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function renderConfig(options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalMs ?? 1000}ms`;
  // scrape_timeout may not exceed the interval, and its 10 s default would.
  const timeout = `${Math.min(options.scrapeIntervalMs ?? 1000, 10_000)}ms`;
  const jobName = options.jobName ?? 'switchyard';
  const groups = groupTargets(options.scrapeTargets);
  // JSON is valid YAML, so no YAML library is needed.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: timeout, evaluation_interval: interval },
    scrape_configs: groups.map((group, index) => ({
      job_name: groups.length === 1 ? jobName : `${jobName}-${index}`,
      scheme: group.scheme,
      metrics_path: group.metricsPath,
      static_configs: [
        { targets: group.targets, labels: { ...options.targetLabels, job: jobName } },
      ],
    })),
    ...(options.ruleFiles === undefined ? {} : { rule_files: [...options.ruleFiles] }),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

async function getApi<T>(url: string, what: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data?: T; error?: string };
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`${what} failed: ${body.error ?? response.statusText}`);
  }
  return body.data;
}

function queryPrometheus(url: string, promql: string): Promise<PromQueryResult> {
  return getApi(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, `query ${promql}`);
}

/** Starts Prometheus scraping `scrapeTargets` and resolves once it is ready to serve queries. */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const binary = systemBinary('prometheus');
  const dir = makeTempDir('prometheus');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, renderConfig(options));
  const server = startProcess(
    'prometheus',
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { logFile: join(dir, 'prometheus.log') },
  );
  try {
    await waitUntil(
      'prometheus /-/ready',
      async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 50, processes: [server] },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }

  let stopped = false;
  return {
    url,
    port,
    configFile,
    logFile: server.logFile,
    query: (promql) => queryPrometheus(url, promql),
    labelValues: (name, match) =>
      getApi(
        `${url}/api/v1/label/${encodeURIComponent(name)}/values?match[]=${encodeURIComponent(match)}`,
        `label values of ${name}`,
      ),
    alerts: async () =>
      (await getApi<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`, 'alerts')).alerts,
    async waitFor(promql, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PromQueryResult | undefined;
      for (;;) {
        last = await queryPrometheus(url, promql);
        if (predicate(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for ${promql}; last result ` +
              `${JSON.stringify(last.result)}; log ${server.logFile}`,
          );
        }
        await delay(Math.min(options.scrapeIntervalMs ?? 1000, 250));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      removeTempDir(dir);
    },
  };
}
