// Manifest folders for `switchyard serve`: one ModelProvider per fake (or dead port) and
// RoutePolicies over them. Written as JSON documents, which are YAML too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './processes.ts';

/** The model every benchmark provider serves, and the name clients send to the fakes. */
export const BENCH_MODEL = 'gpt-5-nano';

/** One provider in a benchmark config. */
export interface BenchProvider {
  name: string;
  /** `http://127.0.0.1:PORT/v1`. */
  baseURL: string;
  /** spec.circuitBreaker overrides. */
  circuitBreaker?: Record<string, number>;
}

/** One route (RoutePolicy) in a benchmark config: a single `ordered` tier over `providers`. */
export interface BenchRoute {
  alias: string;
  providers: readonly string[];
  /** spec.failover overrides, e.g. `{ hedgeAfterMs: 20 }`. */
  failover?: Record<string, unknown>;
  /** spec.classification, e.g. `{ scorer: {} }`. */
  classification?: Record<string, unknown>;
  /** spec.quality, e.g. a judge and a sampling share. */
  quality?: Record<string, unknown>;
}

/**
 * A breaker that never opens during a benchmark: failover cost can then be measured on every
 * request instead of only until the circuit opens.
 */
export const NEVER_OPEN: Record<string, number> = {
  consecutiveFailures: 1000,
  failureRatePercent: 100,
  minimumRequests: 100_000,
};

/** A manifest folder and the aliases its routes define (checked once Switchyard is up). */
export interface Manifests {
  dir: string;
  aliases: string[];
}

/** Writes the manifests to a new temp folder. */
export function writeManifests(
  providers: readonly BenchProvider[],
  routes: readonly BenchRoute[],
): Manifests {
  const dir = makeTempDir('manifests');
  const documents = [...providers.map(providerManifest), ...routes.map(routeManifest)];
  writeFileSync(
    join(dir, 'bench.yaml'),
    documents.map((d) => JSON.stringify(d, null, 2)).join('\n---\n'),
  );
  return { dir, aliases: routes.map((r) => r.alias) };
}

function providerManifest(provider: BenchProvider): object {
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'ModelProvider',
    metadata: { name: provider.name },
    spec: {
      api: 'openai',
      baseURL: provider.baseURL,
      ...(provider.circuitBreaker === undefined ? {} : { circuitBreaker: provider.circuitBreaker }),
      models: [
        {
          name: BENCH_MODEL,
          contextWindow: 400_000,
          pricing: { inputPerMillion: 0.05, outputPerMillion: 0.4 },
          capabilities: ['tools', 'json', 'streaming'],
        },
      ],
    },
  };
}

function routeManifest(route: BenchRoute): object {
  return {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name: route.alias },
    spec: {
      model: route.alias,
      tiers: [
        {
          name: 'main',
          strategy: 'ordered',
          targets: route.providers.map((provider) => ({ provider, model: BENCH_MODEL })),
        },
      ],
      ...(route.failover === undefined ? {} : { failover: route.failover }),
      ...(route.classification === undefined ? {} : { classification: route.classification }),
      ...(route.quality === undefined ? {} : { quality: route.quality }),
    },
  };
}
