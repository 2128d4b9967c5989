// Proxies in cluster mode for the operator suites: each follows what the operator publishes, as
// the switchyard-proxy service account, and records what its watcher reports.
import {
  watchClusterConfig,
  type ClusterWatch,
  type ClusterWatchEvent,
} from '../../proxy/cluster/watch-cluster-config.ts';
import { silentSink } from '../../proxy/log/request-log.ts';
import { startProxy, type RunningProxy } from '../../proxy/proxy.ts';
import { SYSTEM_NAMESPACE } from './operator-cluster.ts';

/** One proxy in cluster mode and what its watcher reported. */
export interface ClusterProxy {
  proxy: RunningProxy;
  watch: ClusterWatch;
  events: ClusterWatchEvent[];
}

/** Starts `count` proxies watching the published config through `kubeconfig`. */
export async function startClusterProxies(
  kubeconfig: string,
  count: number,
): Promise<ClusterProxy[]> {
  const proxies: ClusterProxy[] = [];
  for (let index = 0; index < count; index++) {
    const proxy = await startProxy({
      port: 0,
      metricsPort: null,
      host: '127.0.0.1',
      log: silentSink,
    });
    const events: ClusterWatchEvent[] = [];
    const watch = watchClusterConfig({
      kubeconfig,
      namespace: SYSTEM_NAMESPACE,
      store: proxy.ctx.config,
      credentials: proxy.ctx.credentials,
      log: silentSink,
      onEvent: (event) => events.push(event),
      timing: { initialBackoffMs: 100, maxBackoffMs: 500 },
    });
    proxies.push({ proxy, watch, events });
  }
  return proxies;
}

/** Stops the watchers, then the proxies. */
export async function stopClusterProxies(proxies: readonly ClusterProxy[]): Promise<void> {
  for (const { watch, proxy } of proxies) {
    await watch.stop();
    await proxy.close();
  }
}
