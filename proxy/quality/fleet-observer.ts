import type { RouteConfig } from '../../core/config/router-config.ts';
import { QUALITY_TTL_SECONDS, policyIdOf, samplesKey } from '../../core/live/fleet-keys.ts';
import type { JudgedSample } from '../../core/quality/judged-sample.ts';
import { judgeCaptured } from '../../core/quality/sampling.ts';
import type { AnsweredRequest, AnswerObserver } from '../answer/outcome.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { askJudge, type JudgeResult } from './judge-call.ts';
import { JudgeQueue } from './judge-queue.ts';
import { succeeded, type LiveRecorder } from './live-recorder.ts';
import type { Standings } from './standings.ts';

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
    if (!judging && succeeded(answer) && answer.winner !== undefined) this.#countSuccess(answer);
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
    const { job, winner } = answer;
    const capture = job.judging;
    const route = job.resolution?.route?.config;
    const quality = route?.quality;
    if (capture === undefined || route === undefined || quality === undefined) return false;
    if (winner === undefined || !succeeded(answer)) return false;
    const probation =
      job.probation && this.#standings.isDemoted(policyIdOf(route), winner.target.key);
    const draw = this.#ctx.random();
    if (!judgeCaptured(quality, winner.tier, capture.share, draw, probation)) return false;
    const text = answer.outcome.kind === 'stream' ? capture.text : completionText(answer);
    if (text.trim() === '') return false;
    const queue = this.#queueFor(route);
    if (queue.offer(() => this.#judge(answer, route, text))) return true;
    this.#ctx.metrics.judgeCalls.inc({ route: route.alias, outcome: 'dropped' });
    return false;
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

  async #judge(answer: AnsweredRequest, route: RouteConfig, text: string): Promise<void> {
    const ctx = this.#ctx;
    const quality = route.quality as NonNullable<RouteConfig['quality']>;
    const result = await askJudge(ctx, {
      route,
      messages: answer.job.request?.messages ?? [],
      answer: text,
      sensitive: answer.job.decision?.sensitive === true,
    });
    ctx.metrics.judgeCalls.inc({ route: route.alias, outcome: result.outcome });
    await this.#charge(route, result.costUSD);
    const score = result.verdict?.score;
    this.#live.judged(answer, score, quality.floor);
    if (score === undefined || score >= quality.floor) this.#countSuccess(answer);
    if (score === undefined) return;
    const winner = answer.winner!;
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
      this.#logVerdict(answer, route, result, stats.mean);
      await this.#keepSample(answer, route, result);
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

  #countSuccess(answer: AnsweredRequest): void {
    const winner = answer.winner!;
    this.#ctx.metrics.successfulRequests.inc({
      route: answer.job.resolution?.routeName ?? 'none',
      tier: winner.tier,
      provider: winner.target.provider.name,
      model: winner.target.model.name,
    });
  }

  async #keepSample(
    answer: AnsweredRequest,
    route: RouteConfig,
    result: JudgeResult,
  ): Promise<void> {
    const settings = route.quality?.export;
    const verdict = result.verdict;
    if (settings === undefined || settings.maxSamples === 0 || verdict === undefined) return;
    const { job } = answer;
    const sample: JudgedSample = {
      at: new Date(this.#ctx.wallNow()).toISOString(),
      requestId: job.requestId,
      route: route.alias,
      policy: policyIdOf(route),
      tiers: route.tiers.map((t) => t.name),
      tier: answer.tier,
      target: answer.winner!.target.key,
      score: verdict.score,
      reason: verdict.reason,
      floor: route.quality?.floor ?? 0,
      ...(job.experiment === undefined
        ? {}
        : { experiment: job.experiment.name, arm: job.experiment.arm }),
      ...(settings.includeRequestText && job.request !== undefined
        ? { messages: job.request.messages }
        : {}),
    };
    await this.#ctx.state.listPush(
      samplesKey(policyIdOf(route)),
      JSON.stringify(sample),
      settings.maxSamples,
      QUALITY_TTL_SECONDS,
    );
  }

  #logVerdict(
    answer: AnsweredRequest,
    route: RouteConfig,
    result: JudgeResult,
    windowMean: number | undefined,
  ): void {
    this.#ctx.log({
      time: new Date(this.#ctx.wallNow()).toISOString(),
      level: 'info',
      msg: 'judged',
      requestId: answer.job.requestId,
      route: route.alias,
      tier: answer.tier,
      provider: answer.provider,
      model: answer.model,
      experiment: answer.job.experiment?.name,
      arm: answer.job.experiment?.arm,
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
