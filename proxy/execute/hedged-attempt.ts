import type { PlannedAttempt } from '../../core/routing/plan.ts';
import { attemptsUsed, bookAttempt, closeAttempt } from './attempt-book.ts';
import { AttemptTimeout } from './attempt-timeout.ts';
import { isCallerFault, type AttemptFailure, type AttemptResult } from './attempt.ts';
import type { RoundResult, Walk } from './walk.ts';

interface Racer {
  planned: PlannedAttempt;
  controller: AbortController;
  began: number;
  hedge: boolean;
}

type Settled<T> = { index: number; result: AttemptResult<T> };

/**
 * Races the current target against the next one, started once the first has not answered after
 * `hedgeAfterMs`. The first success wins; the loser is cancelled and its books closed when it
 * settles. Both racers count against `maxAttempts`.
 */
export async function hedgedAttempt<T>(
  walk: Walk<T>,
  current: PlannedAttempt,
  timeoutMs: number,
): Promise<RoundResult<T>> {
  const racers: Racer[] = [];
  const pending = new Map<number, Promise<Settled<T>>>();
  const launch = (planned: PlannedAttempt, hedge: boolean): void => {
    const controller = new AbortController();
    const index = racers.push({ planned, controller, began: walk.deps.now(), hedge }) - 1;
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), timeoutMs);
    pending.set(
      index,
      walk
        .attempt(planned.target, controller.signal)
        .then((result) => ({ index, result }))
        .finally(() => clearTimeout(timer)),
    );
  };
  const abortAll = (): void => racers.forEach((r) => r.controller.abort());
  walk.clientSignal.addEventListener('abort', abortAll, { once: true });
  let hedgeTimer: NodeJS.Timeout | undefined;
  const hedgeDue = new Promise<'hedge'>((resolve) => {
    hedgeTimer = setTimeout(() => resolve('hedge'), walk.failover.hedgeAfterMs);
  });
  try {
    launch(current, false);
    let hedgeLaunched = false;
    let lastFailure: AttemptFailure = { kind: 'aborted', message: 'cancelled' };
    while (pending.size > 0) {
      const next = await Promise.race([...pending.values(), ...(hedgeLaunched ? [] : [hedgeDue])]);
      if (next === 'hedge') {
        hedgeLaunched = true;
        const backup = walk.queue.shift();
        const room = attemptsUsed(walk.records) + racers.length < walk.failover.maxAttempts;
        if (backup !== undefined && room && walk.deps.health.admit(backup.target))
          launch(backup, true);
        continue;
      }
      pending.delete(next.index);
      const racer = racers[next.index] as Racer;
      const failure = next.result.ok ? undefined : next.result.failure;
      bookAttempt(
        {
          planned: racer.planned,
          failure,
          durationMs: walk.deps.now() - racer.began,
          retry: false,
          hedge: racer.hedge,
        },
        walk.records,
        walk.deps,
      );
      if (next.result.ok) {
        cancelLosers(walk, racers, pending, next.index);
        return { ok: true, value: next.result.value, winner: racer.planned };
      }
      lastFailure = next.result.failure;
      if (isCallerFault(lastFailure.kind)) break;
    }
    return { ok: false, failure: lastFailure };
  } finally {
    clearTimeout(hedgeTimer);
    walk.clientSignal.removeEventListener('abort', abortAll);
  }
}

function cancelLosers<T>(
  walk: Walk<T>,
  racers: Racer[],
  pending: Map<number, Promise<Settled<T>>>,
  winner: number,
): void {
  racers.forEach((r, i) => i !== winner && r.controller.abort());
  for (const loser of pending.values()) {
    void loser.then(({ index, result }) => {
      const lost: AttemptFailure = { kind: 'aborted', message: 'lost the hedge race' };
      closeAttempt((racers[index] as Racer).planned, result.ok ? lost : result.failure, walk.deps);
    });
  }
}
