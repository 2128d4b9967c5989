import type { PlannedAttempt } from '../../core/routing/plan.ts';
import { bookAttempt } from './attempt-book.ts';
import { AttemptTimeout } from './attempt-timeout.ts';
import type { RoundResult, Walk } from './walk.ts';

/** Runs one attempt under its own timeout, cancelled too when the client goes away. */
export async function singleAttempt<T>(
  walk: Walk<T>,
  current: PlannedAttempt,
  timeoutMs: number,
  isRetry: boolean,
): Promise<RoundResult<T>> {
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort();
  walk.clientSignal.addEventListener('abort', onClientAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
  const began = walk.deps.now();
  try {
    const result = await walk.attempt(current.target, controller.signal);
    const failure = result.ok ? undefined : result.failure;
    bookAttempt(
      {
        planned: current,
        failure,
        durationMs: walk.deps.now() - began,
        retry: isRetry,
        hedge: false,
      },
      walk.records,
      walk.deps,
    );
    return result.ok ? { ok: true, value: result.value, winner: current } : result;
  } finally {
    clearTimeout(timer);
    walk.clientSignal.removeEventListener('abort', onClientAbort);
  }
}
