import { API_VERSION } from '../../core/api/common.ts';
import type { RouterConfig } from '../../core/config/router-config.ts';
import type { Transition } from '../../core/live/fleet-keys.ts';
import { sha256Hex } from '../../core/util/sha256.ts';
import { EVENT_COMPONENT } from '../events/event-recorder.ts';
import { isApiStatus } from '../kube/kube-api-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { kubeTime } from '../status/desired-status.ts';

/** Transitions older than this are not turned into Events (Kubernetes keeps Events about an hour). */
export const TRANSITION_EVENT_WINDOW_MS = 60 * 60_000;

/** Names of Events recorded by this process, remembered so a transition is posted once. */
const MAX_REMEMBERED = 10_000;

/** Finds a ModelProvider in the cache by namespace and name. */
export type ProviderLookup = (namespace: string, name: string) => KubeObject | undefined;

/**
 * Turns the fleet's demotions and restorations into Events on the ModelProvider — `ModelDemoted`
 * (Warning) and `ModelRestored` (Normal) with the policy, the mean score, the samples and the line
 * crossed. An Event's name is derived from the transition, so a restarted operator or a new
 * leader that reads the same transitions gets 409 instead of recording a duplicate.
 */
export class QualityEvents {
  readonly #client: KubeClient;
  readonly #instance: string;
  readonly #recorded = new Set<string>();

  constructor(client: KubeClient, instance: string) {
    this.#client = client;
    this.#instance = instance;
  }

  /** Records the transitions not recorded yet; resolves to how many Events were created. */
  async record(
    transitions: readonly Transition[],
    config: RouterConfig,
    lookup: ProviderLookup,
    nowMs: number,
  ): Promise<number> {
    let created = 0;
    // Oldest first, so the Events of one target read in the order things happened.
    for (const transition of [...transitions].reverse()) {
      if (nowMs - transition.at > TRANSITION_EVENT_WINDOW_MS) continue;
      const providerName = transition.target.split('/')[0] ?? '';
      const provider = config.providers.find((p) => p.name === providerName);
      const object = provider && lookup(provider.namespace, provider.name);
      const uid = object?.metadata.uid;
      if (provider === undefined || uid === undefined) continue;
      const name = `${provider.name.slice(0, 200)}.${sha256Hex(JSON.stringify(transition)).slice(0, 16)}`;
      if (this.#recorded.has(name)) continue;
      if (await this.#post(provider.namespace, provider.name, uid, name, transition)) created++;
      if (this.#recorded.size >= MAX_REMEMBERED) this.#recorded.clear();
      this.#recorded.add(name);
    }
    return created;
  }

  /** Forgets what was recorded (a new leader term relies on the API's 409s). */
  reset(): void {
    this.#recorded.clear();
  }

  async #post(
    namespace: string,
    providerName: string,
    uid: string,
    name: string,
    t: Transition,
  ): Promise<boolean> {
    const time = kubeTime(new Date(t.at));
    try {
      await this.#client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${namespace}/events`,
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: API_VERSION,
            kind: 'ModelProvider',
            name: providerName,
            namespace,
            uid,
          },
          type: t.kind === 'demoted' ? 'Warning' : 'Normal',
          reason: t.kind === 'demoted' ? 'ModelDemoted' : 'ModelRestored',
          message: messageOf(t),
          source: { component: EVENT_COMPONENT },
          reportingComponent: EVENT_COMPONENT,
          reportingInstance: this.#instance,
          firstTimestamp: time,
          lastTimestamp: time,
          count: 1,
        },
      });
      return true;
    } catch (error) {
      if (isApiStatus(error, 409)) return false;
      throw error;
    }
  }
}

function messageOf(t: Transition): string {
  const mean = t.mean.toFixed(2);
  return t.kind === 'demoted'
    ? `${t.target} demoted in RoutePolicy ${t.policy} (alias ${t.route}): mean judged score ${mean} over the last ${t.samples} samples fell below ${t.threshold}; routing skips it except for probation requests until it scores above the restore line`
    : `${t.target} restored in RoutePolicy ${t.policy} (alias ${t.route}): mean judged score ${mean} over the last ${t.samples} samples rose above ${t.threshold}`;
}
