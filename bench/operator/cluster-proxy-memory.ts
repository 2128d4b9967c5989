// 1c. Idle RSS of a proxy in cluster mode, as the chart runs it: the production build of
// `switchyard serve --kube` as the switchyard-proxy service account, following what the operator
// published, 2 s after it turned ready. Issue 3's idle-RSS goal is measured by `npm run bench` in
// manifest mode (no cluster); this is the same goal for the mode pods actually run.
import { setTimeout as delay } from 'node:timers/promises';
import { SYSTEM_NAMESPACE } from '../../test/operator/operator-cluster.ts';
import { imageEnv, productionEntry } from '../lib/build.ts';
import { BenchProcess, freePort, rssBytes } from '../lib/processes.ts';
import type { BenchEnv } from './bench-env.ts';
import type { Report } from './report.ts';

/** Issue 3's goal for a proxy's idle RSS. */
const IDLE_RSS_GOAL_MIB = 80 / 1.048576;

/** Starts `serve --kube`, reads its RSS once it idles, stops it. */
export async function measureClusterProxyMemory(env: BenchEnv, report: Report): Promise<void> {
  report.section('1c. A proxy in cluster mode (production build, `serve --kube`): idle RSS');
  const port = await freePort();
  const proxy = new BenchProcess({
    name: 'serve --kube',
    command: process.execPath,
    args: [
      productionEntry(),
      'serve',
      '--kube',
      '--kubeconfig',
      env.cluster.proxyKubeconfig,
      '--namespace',
      SYSTEM_NAMESPACE,
      '--port',
      String(port),
      '--metrics-port',
      '0',
      '--host',
      '127.0.0.1',
      '--quiet',
    ],
    env: { ...process.env, ...imageEnv() },
  });
  try {
    await proxy.waitForHttp(`http://127.0.0.1:${port}/readyz`);
    await delay(2000);
    const { pid } = proxy;
    const [rss, anon, file] = [rssBytes(pid), rssBytes(pid, 'RssAnon'), rssBytes(pid, 'RssFile')];
    const mib = (bytes: number): number => bytes / 2 ** 20;
    report.line(
      `  idle RSS ${mib(rss).toFixed(1)} MiB (${(rss / 1e6).toFixed(1)} MB): ${mib(anon).toFixed(1)} MiB anonymous, ${mib(file).toFixed(1)} MiB file-backed (Node's binary, shared)`,
    );
    report.check(
      'cluster-mode proxy idle RSS (80 MB)',
      mib(rss),
      IDLE_RSS_GOAL_MIB,
      'MiB',
      'extra',
    );
  } finally {
    await proxy.stop(3000);
  }
}
