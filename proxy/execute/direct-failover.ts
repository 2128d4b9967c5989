import type { FailoverSettings } from './run-plan.ts';

/**
 * Failover for clients that name a concrete `provider/model`: no policy applies, so the target
 * gets the RoutePolicy defaults (one retry on transient errors, nowhere to fail over to).
 */
export const DIRECT_FAILOVER: FailoverSettings = {
  attemptTimeoutMs: 30_000,
  ttftTimeoutMs: 10_000,
  totalTimeoutMs: 120_000,
  maxAttempts: 2,
  retries: {
    max: 1,
    initialBackoffMs: 200,
    maxBackoffMs: 2_000,
    onStatus: [429, 500, 502, 503, 504],
  },
  escalate: false,
  hedgeAfterMs: 0,
};
