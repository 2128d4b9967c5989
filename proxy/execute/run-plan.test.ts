import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildRouteIndex } from '../../core/routing/route-index.ts';
import { testConfig } from '../../core/routing/fixtures.test-support.ts';
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import { HealthTracker } from '../health/health-tracker.ts';
import { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import { ProxyError } from '../errors/proxy-error.ts';
import type { AttemptFailure, AttemptResult } from './attempt.ts';
import { backoffMs, runPlan, type FailoverSettings } from './run-plan.ts';

const index = buildRouteIndex(testConfig());
const planned: PlannedAttempt[] = [...index.targets.values()].map((target) => ({
  target,
  tier: 'any',
  lastResort: false,
}));
const failures: AttemptFailure[] = [
  { kind: 'server_error', status: 500, message: '500' },
  { kind: 'overloaded', status: 503, message: '503' },
  { kind: 'rate_limited', status: 429, message: '429' },
  { kind: 'timeout', message: 'timeout' },
  { kind: 'connect_error', message: 'refused' },
  { kind: 'context_length_exceeded', status: 400, message: 'too long' },
];

function settings(maxAttempts: number, retries: number): FailoverSettings {
  return {
    attemptTimeoutMs: 1000,
    ttftTimeoutMs: 500,
    totalTimeoutMs: 60_000,
    maxAttempts,
    retries: {
      max: retries,
      initialBackoffMs: 0,
      maxBackoffMs: 0,
      onStatus: [429, 500, 502, 503, 504],
    },
    escalate: true,
    hedgeAfterMs: 0,
  };
}

function deps() {
  let clock = 0;
  return {
    health: new HealthTracker(() => clock),
    metrics: new ProxyMetrics({ defaultMetrics: false }),
    now: () => clock,
    random: () => 0.5,
    sleep: (ms: number) => {
      clock += ms;
      return Promise.resolve();
    },
  };
}

test('property: attempts never exceed maxAttempts, whatever the upstreams answer', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 3 }),
      fc.array(fc.option(fc.constantFrom(...failures), { nil: undefined }), {
        minLength: 1,
        maxLength: 30,
      }),
      async (maxAttempts, retries, script) => {
        let calls = 0;
        const attempt = (): Promise<AttemptResult<string>> => {
          const step = script[calls % script.length];
          calls += 1;
          return Promise.resolve(
            step === undefined ? { ok: true, value: 'answer' } : { ok: false, failure: step },
          );
        };
        try {
          const result = await runPlan(
            planned,
            settings(maxAttempts, retries),
            new AbortController().signal,
            attempt,
            deps(),
          );
          assert.ok(
            result.attempts.filter((a) => a.outcome !== 'circuit_open').length <= maxAttempts,
          );
        } catch (error) {
          assert.ok(error instanceof ProxyError);
          assert.ok(
            error.attempts.filter((a) => a.outcome !== 'circuit_open').length <= maxAttempts,
          );
        }
        return calls <= maxAttempts;
      },
    ),
  );
});

test("a provider's 400 stops the walk at once: the caller's mistake is not retried elsewhere", async () => {
  let calls = 0;
  const attempt = (): Promise<AttemptResult<string>> => {
    calls += 1;
    return Promise.resolve({
      ok: false,
      failure: { kind: 'invalid_request', status: 400, message: 'bad' },
    });
  };
  await assert.rejects(
    runPlan(planned, settings(5, 2), new AbortController().signal, attempt, deps()),
    (e: unknown) => e instanceof ProxyError && e.code === 'UPSTREAM_INVALID_REQUEST',
  );
  assert.equal(calls, 1);
});

test('backoff is full jitter under an exponential ceiling, and a Retry-After within the cap wins', () => {
  const retries = { max: 3, initialBackoffMs: 100, maxBackoffMs: 1000, onStatus: [] };
  assert.equal(
    backoffMs(retries, 0, undefined, () => 0.999),
    99,
  );
  assert.equal(
    backoffMs(retries, 3, undefined, () => 0.999),
    799,
  );
  assert.equal(
    backoffMs(retries, 5, undefined, () => 0.999),
    999,
  );
  assert.equal(
    backoffMs(retries, 0, 700, () => 0),
    700,
  );
  assert.equal(
    backoffMs(retries, 0, 5000, () => 0),
    0,
    'a Retry-After beyond the cap is not waited for',
  );
});
