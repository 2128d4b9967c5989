import type { KubeObject } from '../kube/kube-object.ts';

/**
 * Which Secret keys the ModelProviders reference, by `namespace/name`. Rebuilt lazily after the
 * providers change; read for every Secret event to decide which values to keep.
 */
export class ReferenceIndex {
  readonly #providers: () => readonly KubeObject[];
  #index: Map<string, Set<string>> | undefined;

  constructor(providers: () => readonly KubeObject[]) {
    this.#providers = providers;
  }

  /** Marks the index stale; the next lookup rebuilds it. */
  invalidate(): void {
    this.#index = undefined;
  }

  /** The referenced keys of one Secret, undefined when none are. */
  keysOf(namespace: string, name: string): ReadonlySet<string> | undefined {
    this.#index ??= this.#build();
    return this.#index.get(`${namespace}/${name}`);
  }

  #build(): Map<string, Set<string>> {
    const index = new Map<string, Set<string>>();
    for (const provider of this.#providers()) {
      const ref = secretRefOf(provider);
      if (ref === undefined) continue;
      const key = `${provider.metadata.namespace ?? ''}/${ref.name}`;
      const keys = index.get(key) ?? new Set<string>();
      keys.add(ref.key);
      index.set(key, keys);
    }
    return index;
  }
}

/** spec.auth.secretRef of a ModelProvider, read defensively (the spec is not validated yet). */
export function secretRefOf(provider: KubeObject): { name: string; key: string } | undefined {
  const spec = provider['spec'] as { auth?: { secretRef?: { name?: unknown; key?: unknown } } };
  const ref = spec?.auth?.secretRef;
  if (typeof ref?.name !== 'string' || typeof ref.key !== 'string') return undefined;
  return { name: ref.name, key: ref.key };
}
