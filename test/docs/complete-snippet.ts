// Turns a documented snippet (`# snippet: RoutePolicy.spec.failover`) into a whole object: the
// smallest valid object of the kind, with the snippet as the value of the field it names. The
// tiers are called budget, standard and premium, as the docs call them, so snippets that name a
// tier (classification rules) complete into a valid policy.
import type { Kind } from '../crd/verdicts.ts';

const API_VERSION = 'switchyard.dev/v1alpha1';

const target = { provider: 'deepseek', model: 'deepseek-chat' };

const BASE_SPECS: Record<Kind, Record<string, unknown>> = {
  ModelProvider: {
    api: 'openai',
    models: [
      {
        name: 'deepseek-chat',
        contextWindow: 128000,
        pricing: { inputPerMillion: 0.28, outputPerMillion: 0.42 },
      },
    ],
  },
  RoutePolicy: {
    model: 'snippet',
    tiers: ['budget', 'standard', 'premium'].map((name) => ({ name, targets: [target] })),
  },
};

/**
 * The object a snippet belongs to. `path` starts at `spec`; a segment ending in `[]` names one
 * item of a list, and a snippet at such a segment becomes the list's only item.
 */
export function completeSnippet(kind: Kind, path: string, value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {
    apiVersion: API_VERSION,
    kind,
    metadata: { name: 'snippet' },
    spec: structuredClone(BASE_SPECS[kind]),
  };
  const segments = path.split('.');
  let parent = object;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const name = segment.replace(/\[\]$/, '');
    const item = segment.endsWith('[]');
    if (last) {
      parent[name] = item ? [value] : value;
      break;
    }
    if (item) {
      const list = (parent[name] ??= [{}]) as Record<string, unknown>[];
      parent = list[0] ??= {};
    } else {
      parent = (parent[name] ??= {}) as Record<string, unknown>;
    }
  }
  return object;
}
