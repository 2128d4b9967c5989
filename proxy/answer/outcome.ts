import type { Usage } from '../../core/cost/usage.ts';
import type { EmbeddingsResponse } from '../../core/openai/types.ts';
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import type { CachedAnswer } from '../cache/response-cache.ts';
import type { ProxyError } from '../errors/proxy-error.ts';
import type { AttemptRecord } from '../execute/attempt.ts';
import type { CompletionValue, StartedStream } from '../execute/chat-attempts.ts';
import type { GateOutcome } from '../execute/gate-quality.ts';
import type { FailoverSettings, RunResult } from '../execute/run-plan.ts';
import type { AnswerJob } from './answer-job.ts';

/** A finished embeddings call. */
export interface EmbeddingsValue {
  response: EmbeddingsResponse;
  usage: Usage;
  upstreamRequestId: string | undefined;
}

/**
 * How a request ends, as execute/ (or the cache, or a failure) hands it to `finish()`: the only
 * place that turns it into HTTP.
 */
export type AnswerOutcome =
  | {
      kind: 'completion';
      run: RunResult<CompletionValue>;
      /** The quality gate's verdict, when the request asked for structured output. */
      quality: GateOutcome['quality'] | undefined;
      /** What answers that were paid for but not sent cost (the gate escalated past them). */
      discardedUSD: number;
    }
  | { kind: 'stream'; run: RunResult<StartedStream>; failover: FailoverSettings }
  | { kind: 'cached'; hit: CachedAnswer }
  | { kind: 'embeddings'; run: RunResult<EmbeddingsValue> }
  | { kind: 'error'; error: unknown };

/**
 * A request once its answer was written: what metrics, the log line and observers (judge
 * sampling, tracing, chargeback) read. One shape for every kind of answer, failures included.
 */
export interface AnsweredRequest {
  job: AnswerJob;
  outcome: AnswerOutcome;
  /** The HTTP status sent (499 when the client left first). */
  status: number;
  /** The target and tier that answered; undefined for failures and cache hits. */
  winner: PlannedAttempt | undefined;
  /** `provider/model` and tier credited with the answer (a cache hit's original). */
  provider: string;
  model: string;
  tier: string;
  attempts: readonly AttemptRecord[];
  usage: Usage | undefined;
  /** The cost of the answer sent, in USD. */
  costUSD: number;
  /** Everything spent for the request (discarded answers included): what the budget is charged. */
  spentUSD: number;
  latencyMs: number;
  /** Time in the proxy itself: latency (time to first token for streams) minus upstream time. */
  overheadMs: number;
  ttftMs: number | undefined;
  cache: 'hit' | 'miss' | 'off';
  upstreamRequestId: string | undefined;
  /** The failure the client was told about, for error answers (and a stream that broke). */
  error: ProxyError | undefined;
  /** A streamed answer that failed after its first byte: the message of its SSE error event. */
  streamFailure: string | undefined;
}

/**
 * Something that wants to know about every answer once it has been written — never on the
 * client's time. Observers must not throw and must not block: queue work, do not await it.
 */
export interface AnswerObserver {
  answered(answer: AnsweredRequest): void;
}
