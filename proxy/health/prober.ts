import type { RouteIndex } from '../../core/routing/route-index.ts';
import { upstreamTarget } from '../execute/chat-attempts.ts';
import type { ProxyContext } from '../proxy-context.ts';

/** Probe requests give up after this long: a probe must never pile up behind a hung provider. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Active health probes for providers with `healthCheck.enabled`: every `intervalSeconds` a
 * request that spends no tokens (listing models) goes to the provider. A failed probe counts as a
 * failure of each of its models, so a dead provider's circuits open before user traffic finds out.
 * Restarted on every config change; `stop()` on shutdown.
 */
export class Prober {
  readonly #ctx: ProxyContext;
  #timers: NodeJS.Timeout[] = [];
  #probes: (() => Promise<void>)[] = [];

  constructor(ctx: ProxyContext) {
    this.#ctx = ctx;
  }

  /** Replaces the probes with those the config asks for. */
  reconfigure(index: RouteIndex): void {
    this.stop();
    for (const provider of index.config.providers) {
      if (!provider.healthCheck.enabled) continue;
      const targets = [...index.targets.values()].filter((t) => t.provider.name === provider.name);
      const first = targets[0];
      if (first === undefined) continue;
      const probe = (): Promise<void> => this.#probe(first, targets);
      const timer = setInterval(() => void probe(), provider.healthCheck.intervalSeconds * 1000);
      timer.unref();
      this.#timers.push(timer);
      this.#probes.push(probe);
    }
  }

  /** Runs every configured probe once, now (tests, and a warm start after a config change). */
  async probeAll(): Promise<void> {
    await Promise.all(this.#probes.map((probe) => probe()));
  }

  /** Stops every probe. */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#probes = [];
  }

  async #probe(
    first: Parameters<typeof upstreamTarget>[0],
    targets: Parameters<typeof upstreamTarget>[0][],
  ): Promise<void> {
    const ctx = this.#ctx;
    const healthy = await isHealthy(ctx, first);
    ctx.metrics.probes.inc({ provider: first.provider.name, outcome: healthy ? 'ok' : 'failed' });
    if (!healthy) for (const target of targets) ctx.health.recordFailure(target);
  }
}

async function isHealthy(
  ctx: ProxyContext,
  target: Parameters<typeof upstreamTarget>[0],
): Promise<boolean> {
  const adapter = ctx.adapterFor(target.provider.api);
  try {
    const probe = adapter.buildHealthProbe(upstreamTarget(target, ctx.credentials));
    const response = await ctx.upstream.send(probe, AbortSignal.timeout(PROBE_TIMEOUT_MS));
    await response.body.dump();
    return response.statusCode < 500 && response.statusCode !== 429;
  } catch {
    return false;
  }
}
