import { CONTENT_TYPE, type KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { FIELD_MANAGER } from './output-names.ts';

/** What a publish did: `applied` when it wrote, `unchanged` when the object already matched. */
export type PublishOutcome = 'applied' | 'unchanged';

/** Where the operator last saw a published object: its watch cache, or its own last write. */
export type ObservedObject = () => KubeObject | undefined;

/**
 * Server-side applies one published object (ConfigMap or Secret) with the operator's field
 * manager, and writes nothing when the object already holds exactly the desired content — so an
 * unchanged config keeps its resourceVersion and the proxies see no event.
 */
export class Publisher {
  readonly #client: KubeClient;
  readonly #observed: ObservedObject;
  readonly #plural: 'configmaps' | 'secrets';
  #lastApplied: KubeObject | undefined;

  constructor(client: KubeClient, plural: 'configmaps' | 'secrets', observed: ObservedObject) {
    this.#client = client;
    this.#plural = plural;
    this.#observed = observed;
  }

  /** Applies `desired` unless the object already matches it. */
  async publish(desired: KubeObject): Promise<PublishOutcome> {
    // Our own last write is fresher than the watch cache until the watch delivers it.
    const known = this.#lastApplied ?? this.#observed();
    if (known !== undefined && holdsDesired(known, desired)) return 'unchanged';
    const { name, namespace = '' } = desired.metadata;
    this.#lastApplied = await this.#client.request<KubeObject>({
      method: 'PATCH',
      path: `/api/v1/namespaces/${namespace}/${this.#plural}/${name}`,
      query: { fieldManager: FIELD_MANAGER, force: true },
      body: desired,
      contentType: CONTENT_TYPE.apply,
      // A rejected Secret write could echo data in the server's message.
      redactErrors: this.#plural === 'secrets',
    });
    return 'applied';
  }

  /**
   * Tells the publisher that the watch saw the object change. Unless the change is our own last
   * write, someone else edited or deleted it: forget our write so the next publish compares
   * against what is really there (and repairs it).
   */
  observedChanged(): void {
    const observed = this.#observed();
    if (observed?.metadata.resourceVersion !== this.#lastApplied?.metadata.resourceVersion) {
      this.#lastApplied = undefined;
    }
  }

  /** Forgets our last write (after losing leadership, another replica may write). */
  reset(): void {
    this.#lastApplied = undefined;
  }
}

/**
 * Whether `observed` holds everything `desired` sets: the same data, binaryData and type, and
 * the desired labels and annotations (others may add their own; those are theirs).
 */
export function holdsDesired(observed: KubeObject, desired: KubeObject): boolean {
  for (const field of ['data', 'binaryData'] as const) {
    if (!sameRecord(asRecord(observed[field]), asRecord(desired[field]))) return false;
  }
  if (desired['type'] !== undefined && observed['type'] !== desired['type']) return false;
  return (
    includes(observed.metadata.labels, desired.metadata.labels) &&
    includes(observed.metadata.annotations, desired.metadata.annotations)
  );
}

function asRecord(value: unknown): Record<string, string> {
  return (value ?? {}) as Record<string, string>;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

function includes(
  actual: Record<string, string> | undefined,
  wanted: Record<string, string> | undefined,
): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => actual?.[key] === value);
}
