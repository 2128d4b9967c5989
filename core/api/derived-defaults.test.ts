import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { effectiveBackoff, effectiveCooldown, effectiveTimeouts } from './derived-defaults.ts';
import { modelProviderSpec } from './model-provider.ts';
import { routePolicySpec } from './route-policy.ts';

const TIMEOUTS: [string, Parameters<typeof effectiveTimeouts>[0], number[]][] = [
  ['nothing written gives the plain defaults', { hedgeAfterMs: 0 }, [30000, 10000, 120000]],
  [
    'a 3-second attempt timeout pulls the TTFT timeout down to it',
    { attemptTimeoutMs: 3000, hedgeAfterMs: 0 },
    [3000, 3000, 120000],
  ],
  [
    'a long TTFT timeout pushes the attempt and total timeouts up to it',
    { ttftTimeoutMs: 200000, hedgeAfterMs: 0 },
    [200000, 200000, 200000],
  ],
  [
    'a short total timeout pulls both others down to it',
    { totalTimeoutMs: 5000, hedgeAfterMs: 0 },
    [5000, 5000, 5000],
  ],
  [
    'a late hedge pushes the attempt timeout just above it',
    { hedgeAfterMs: 40000 },
    [40001, 10000, 120000],
  ],
  [
    'a written TTFT timeout and total timeout leave the attempt timeout at its default between them',
    { ttftTimeoutMs: 2000, totalTimeoutMs: 60000, hedgeAfterMs: 0 },
    [30000, 2000, 60000],
  ],
  [
    'every timeout written is kept as written',
    { attemptTimeoutMs: 4000, ttftTimeoutMs: 1000, totalTimeoutMs: 9000, hedgeAfterMs: 500 },
    [4000, 1000, 9000],
  ],
];

for (const [name, written, [attempt, ttft, total]] of TIMEOUTS) {
  test(`timeouts: ${name}`, () => {
    assert.deepEqual(effectiveTimeouts(written), {
      attemptTimeoutMs: attempt,
      ttftTimeoutMs: ttft,
      totalTimeoutMs: total,
    });
  });
}

test('backoff: each end defaults around the other one written', () => {
  assert.deepEqual(effectiveBackoff({}), { initialBackoffMs: 200, maxBackoffMs: 2000 });
  assert.deepEqual(effectiveBackoff({ initialBackoffMs: 5000 }), {
    initialBackoffMs: 5000,
    maxBackoffMs: 5000,
  });
  assert.deepEqual(effectiveBackoff({ maxBackoffMs: 100 }), {
    initialBackoffMs: 100,
    maxBackoffMs: 100,
  });
});

test('cooldown: each end defaults around the other one written', () => {
  assert.deepEqual(effectiveCooldown({}), { cooldownSeconds: 30, maxCooldownSeconds: 300 });
  assert.deepEqual(effectiveCooldown({ cooldownSeconds: 600 }), {
    cooldownSeconds: 600,
    maxCooldownSeconds: 600,
  });
  assert.deepEqual(effectiveCooldown({ maxCooldownSeconds: 10 }), {
    cooldownSeconds: 10,
    maxCooldownSeconds: 10,
  });
});

// Any subset of the fields, at any value in (and a little beyond) their bounds.
const maybe = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: undefined });
const ms = (max: number) => fc.integer({ min: 0, max });

test('whatever the schema accepts, the timeouts in effect are in order and keep every written value', () => {
  let accepted = 0;
  fc.assert(
    fc.property(
      maybe(ms(600000)),
      maybe(ms(600000)),
      maybe(ms(3600000)),
      maybe(ms(600000)),
      (attemptTimeoutMs, ttftTimeoutMs, totalTimeoutMs, hedgeAfterMs) => {
        const failover = { attemptTimeoutMs, ttftTimeoutMs, totalTimeoutMs, hedgeAfterMs };
        const parsed = routePolicySpec.safeParse({
          model: 'a',
          tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm' }] }],
          failover: JSON.parse(JSON.stringify(failover)) as unknown,
        });
        if (!parsed.success) return;
        accepted++;
        const written = parsed.data.failover;
        const t = effectiveTimeouts(written);
        assert.ok(t.ttftTimeoutMs <= t.attemptTimeoutMs, JSON.stringify({ failover, t }));
        assert.ok(t.attemptTimeoutMs <= t.totalTimeoutMs, JSON.stringify({ failover, t }));
        assert.ok(written.hedgeAfterMs < t.attemptTimeoutMs, JSON.stringify({ failover, t }));
        for (const key of ['attemptTimeoutMs', 'ttftTimeoutMs', 'totalTimeoutMs'] as const) {
          if (written[key] !== undefined) assert.equal(t[key], written[key]);
        }
      },
    ),
    { numRuns: 2000 },
  );
  assert.ok(accepted > 500, `only ${accepted} accepted`);
});

test('whatever the schema accepts, backoff and cooldown in effect are in order', () => {
  fc.assert(
    fc.property(
      maybe(ms(60000)),
      maybe(ms(300000)),
      maybe(fc.integer({ min: 1, max: 3600 })),
      maybe(fc.integer({ min: 1, max: 86400 })),
      (initialBackoffMs, maxBackoffMs, cooldownSeconds, maxCooldownSeconds) => {
        const retries = JSON.parse(JSON.stringify({ initialBackoffMs, maxBackoffMs })) as object;
        const breaker = JSON.parse(
          JSON.stringify({ cooldownSeconds, maxCooldownSeconds }),
        ) as object;
        const policy = routePolicySpec.safeParse({
          model: 'a',
          tiers: [{ name: 't', targets: [{ provider: 'p', model: 'm' }] }],
          failover: { retries },
        });
        if (policy.success) {
          const b = effectiveBackoff(policy.data.failover.retries);
          assert.ok(b.initialBackoffMs <= b.maxBackoffMs, JSON.stringify(retries));
        }
        const provider = modelProviderSpec.safeParse({
          api: 'openai',
          circuitBreaker: breaker,
          models: [
            { name: 'm', contextWindow: 1, pricing: { inputPerMillion: 0, outputPerMillion: 0 } },
          ],
        });
        if (provider.success) {
          const c = effectiveCooldown(provider.data.circuitBreaker);
          assert.ok(c.cooldownSeconds <= c.maxCooldownSeconds, JSON.stringify(breaker));
        }
      },
    ),
    { numRuns: 1000 },
  );
});
