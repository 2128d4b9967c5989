import type { RouteConfig } from '../../core/config/router-config.ts';
import { QUALITY_TTL_SECONDS, policyIdOf, samplesKey } from '../../core/live/fleet-keys.ts';
import type { JudgedSample } from '../../core/quality/judged-sample.ts';
import { judgeCaptured } from '../../core/quality/sampling.ts';
import type { ChatMessage } from '../../core/openai/types.ts';
import type { PlannedAttempt } from '../../core/routing/plan.ts';
import type { AnsweredRequest, AnswerObserver } from '../answer/outcome.ts';
import type { ExperimentArm } from '../experiment/choose-arm.ts';
import type { JudgeCapture } from './prepare-judging.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { askJudge, type JudgeResult } from './judge-call.ts';
import { JudgeQueue } from './judge-queue.ts';
import { succeeded, type LiveRecorder } from './live-recorder.ts';
import type { Standings } from './standings.ts';

/** Labelled success counters kept at most (routes × tiers × targets of a config). */
const MAX_SUCCESS_CHILDREN = 10_000;

/**
 * What a queued judge call keeps of its answer: only what judging needs, so that a queue of them
 * holds no sockets, response objects or upstream buffers.
 */
interface JudgeWork {
  route: RouteConfig;
  /** The alias the answer was served under (the variant's for the variant arm). */
  routeName: string;
  requestId: string;
  winner: PlannedAttempt;
  messages: readonly ChatMessage[];
  text: string;
  sensitive: boolean;
  experiment: ExperimentArm | undefined;
  spentUSD: number;
}

/**
 * The quality loop's and live state's observer of every answer, after it reached the client:
 * counts it into the fleet's counters, and hands sampled answers to the policy's judge through a
 * bounded queue. The judge's score feeds the target's window (and demotion), the score histogram,
 * the success count, the experiment arm's quality, and the samples kept for export; its cost is
 * counted apart and charged to the policy's budget. Nothing here can change an answer: it was
 * written before any of this runs.
 */
export class FleetObserver implements AnswerObserver {
  readonly #ctx: ProxyContext;
  readonly #live: LiveRecorder;
  readonly #standings: Standings;
  readonly #queues = new Map<string, JudgeQueue>();
  readonly #successes = new Map<string, { inc: () => void }>();

  constructor(ctx: ProxyContext, live: LiveRecorder, standings: Standings) {
    this.#ctx = ctx;
    this.#live = live;
    this.#standings = standings;
  }

  answered(answer: AnsweredRequest): void {
    const judging = this.#offer(answer);
    this.#live.answered(answer, judging);
    const { metrics } = this.#ctx;
    const experiment = answer.job.experiment;
    if (experiment !== undefined) {
      metrics.experimentRequests.inc({
        route: experiment.route,
        experiment: experiment.name,
        arm: experiment.arm,
        code: String(answer.status),
      });
    }
    if (!judging && succeeded(answer) && answer.winner !== undefined) {
      this.#countSuccess(answer.job.resolution?.routeName ?? 'none', answer.winner);
    }
  }

  /** Judge calls queued or running, by route alias, for the queue-depth gauge. */
  depths(): [string, number][] {
    return [...this.#queues].map(([alias, queue]) => [alias, queue.depth]);
  }

  /** Resolves once every queued judge call has finished (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.idle()));
  }

  /** Queues the answer for the judge when it was sampled; true when it was. */
  #offer(answer: AnsweredRequest): boolean {
    const work = this.#workOf(answer);
    if (work === undefined) return false;
    if (this.#queueFor(work.route).offer(() => this.#judge(work))) return true;
    this.#ctx.metrics.judgeCalls.inc({ route: work.route.alias, outcome: 'dropped' });
    return false;
  }

  /** The judge call an answer calls for: captured, successful, drawn for its tier, with text. */
  #workOf(answer: AnsweredRequest): JudgeWork | undefined {
    const { job, winner } = answer;
    const route = job.resolution?.route?.config;
    if (route === undefined || winner === undefined || !this.#drawn(answer, route, winner)) {
      return undefined;
    }
    const capture = job.judging as JudgeCapture;
    const text = answer.outcome.kind === 'stream' ? capture.text : completionText(answer);
    if (text.trim() === '') return undefined;
    return {
      route,
      routeName: job.resolution?.routeName ?? route.alias,
      requestId: job.requestId,
      winner,
      messages: job.request?.messages ?? [],
      text,
      sensitive: job.decision?.sensitive === true,
      experiment: job.experiment,
      spentUSD: answer.spentUSD,
    };
  }

  /** A captured, successful answer, drawn at its winning tier's share (probation: always). */
  #drawn(answer: AnsweredRequest, route: RouteConfig, winner: PlannedAttempt): boolean {
    const capture = answer.job.judging;
    const quality = route.quality;
    if (capture === undefined || quality === undefined || !succeeded(answer)) return false;
    const probation =
      answer.job.probation && this.#standings.isDemoted(policyIdOf(route), winner.target.key);
    return judgeCaptured(quality, winner.tier, capture.share, this.#ctx.random(), probation);
  }

  #queueFor(route: RouteConfig): JudgeQueue {
    const quality = route.quality as NonNullable<RouteConfig['quality']>;
    let queue = this.#queues.get(route.alias);
    if (queue === undefined) {
      queue = new JudgeQueue(quality.queueSize, quality.maxConcurrency);
      this.#queues.set(route.alias, queue);
    } else queue.resize(quality.queueSize, quality.maxConcurrency);
    return queue;
  }

  async #judge(work: JudgeWork): Promise<void> {
    const ctx = this.#ctx;
    const { route, winner } = work;
    const quality = route.quality as NonNullable<RouteConfig['quality']>;
    const result = await askJudge(ctx, {
      route,
      messages: work.messages,
      answer: work.text,
      sensitive: work.sensitive,
    });
    ctx.metrics.judgeCalls.inc({ route: route.alias, outcome: result.outcome });
    await this.#charge(route, result.costUSD);
    const score = result.verdict?.score;
    this.#live.judged(work, score, quality.floor);
    if (score === undefined || score >= quality.floor) this.#countSuccess(work.routeName, winner);
    if (score === undefined) return;
    ctx.metrics.qualityScore.observe(
      {
        route: route.alias,
        tier: winner.tier,
        provider: winner.target.provider.name,
        model: winner.target.model.name,
      },
      score,
    );
    try {
      const stats = await this.#standings.record(route, winner.target.key, score);
      this.#logVerdict(work, result, stats.mean);
      await this.#keepSample(work, result);
    } catch (error) {
      this.#logStoreError(route, error);
    }
  }

  async #charge(route: RouteConfig, usd: number): Promise<void> {
    if (usd <= 0) return;
    this.#ctx.metrics.judgeCost.inc({ route: route.alias }, usd);
    this.#live.judgeSpent(policyIdOf(route), usd);
    await this.#ctx.budget.charge(route, usd);
  }

  /** Counts a success; the labelled child is kept, since prom-client hashes labels per call. */
  #countSuccess(routeName: string, winner: PlannedAttempt): void {
    const key = `${routeName}|${winner.tier}|${winner.target.key}`;
    let child = this.#successes.get(key);
    if (child === undefined) {
      if (this.#successes.size >= MAX_SUCCESS_CHILDREN) this.#successes.clear();
      child = this.#ctx.metrics.successfulRequests.labels({
        route: routeName,
        tier: winner.tier,
        provider: winner.target.provider.name,
        model: winner.target.model.name,
      });
      this.#successes.set(key, child);
    }
    child.inc();
  }

  async #keepSample(work: JudgeWork, result: JudgeResult): Promise<void> {
    const { route } = work;
    const settings = route.quality?.export;
    const verdict = result.verdict;
    if (settings === undefined || settings.maxSamples === 0 || verdict === undefined) return;
    const sample: JudgedSample = {
      at: new Date(this.#ctx.wallNow()).toISOString(),
      requestId: work.requestId,
      route: route.alias,
      policy: policyIdOf(route),
      tiers: route.tiers.map((t) => t.name),
      tier: work.winner.tier,
      target: work.winner.target.key,
      score: verdict.score,
      reason: verdict.reason,
      floor: route.quality?.floor ?? 0,
      ...(work.experiment === undefined
        ? {}
        : { experiment: work.experiment.name, arm: work.experiment.arm }),
      ...(settings.includeRequestText ? { messages: [...work.messages] } : {}),
    };
    await this.#ctx.state.listPush(
      samplesKey(policyIdOf(route)),
      JSON.stringify(sample),
      settings.maxSamples,
      QUALITY_TTL_SECONDS,
    );
  }

  #logVerdict(work: JudgeWork, result: JudgeResult, windowMean: number | undefined): void {
    this.#ctx.log({
      time: new Date(this.#ctx.wallNow()).toISOString(),
      level: 'info',
      msg: 'judged',
      requestId: work.requestId,
      route: work.route.alias,
      tier: work.winner.tier,
      provider: work.winner.target.provider.name,
      model: work.winner.target.model.name,
      experiment: work.experiment?.name,
      arm: work.experiment?.arm,
      score: result.verdict?.score,
      reason: result.verdict?.reason,
      judgeCostUSD: result.costUSD,
      windowMean: windowMean === undefined ? undefined : Math.round(windowMean * 100) / 100,
    });
  }

  #logStoreError(route: RouteConfig, error: unknown): void {
    this.#ctx.log({
      time: new Date(this.#ctx.wallNow()).toISOString(),
      level: 'warn',
      msg: 'quality standing not updated: shared state unavailable',
      route: route.alias,
      error: (error as Error).message,
    });
  }
}

/** The text of a whole answer, tool calls written out. */
function completionText(answer: AnsweredRequest): string {
  if (answer.outcome.kind !== 'completion') return '';
  const message = answer.outcome.run.value.completion.choices[0]?.message;
  if (message === undefined) return '';
  const calls = (message.tool_calls ?? []).map(
    (c) => `[tool call ${c.function.name}(${c.function.arguments})]`,
  );
  return [typeof message.content === 'string' ? message.content : '', ...calls].join('\n').trim();
}
