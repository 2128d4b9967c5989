import { policyIdOf } from '../../core/live/fleet-keys.ts';
import { captureShare } from '../../core/quality/sampling.ts';
import type { TargetHealth } from '../../core/routing/plan.ts';
import { satisfiesPool } from '../../core/routing/governance.ts';
import type { AnswerJob } from '../answer/answer-job.ts';

/** An answer that may be judged: the share it was captured with, and a stream's text so far. */
export interface JudgeCapture {
  share: number;
  /** The streamed text, collected by the relay; unused for whole (JSON) answers. */
  text: string;
}

/**
 * The health function plan() reads for a request: the pod's own health, plus demotion from the
 * fleet's quality standings. A policy with demoted targets lets probationPercent of its requests
 * through to them (marked as probation, so their answers are always judged).
 */
export function healthWithStandings(job: AnswerJob): (key: string) => TargetHealth {
  const { ctx } = job;
  const route = job.resolution?.route?.config;
  const demotion = route?.quality?.demotion;
  const policy = route === undefined ? undefined : policyIdOf(route);
  if (demotion === undefined || policy === undefined || !ctx.standings.anyDemoted(policy)) {
    return (key) => ctx.health.health(key);
  }
  if (ctx.random() * 100 < demotion.probationPercent) {
    job.probation = true;
    return (key) => ctx.health.health(key);
  }
  return (key) => {
    const health = ctx.health.health(key);
    return ctx.standings.isDemoted(policy, key) ? { ...health, demoted: true } : health;
  };
}

/**
 * Decides, before the request runs, whether its answer may be judged: captured with the highest
 * sampling share of the tiers it may be answered from (the observer thins that to the winner's
 * tier's share), always for probation requests. A sensitive request is captured only when the
 * judge is inside the policy's governance pool. Costs one random draw for requests of policies
 * with a quality loop, nothing for the others.
 */
export function markForJudging(job: AnswerJob): void {
  const route = job.resolution?.route?.config;
  const quality = route?.quality;
  const decision = job.decision;
  if (quality === undefined || decision === undefined) return;
  if (decision.sensitive && !judgeInPool(job)) return;
  const share = captureShare(quality, decision.routePlan.tiers);
  if (job.probation || job.ctx.random() < share) job.judging = { share, text: '' };
}

function judgeInPool(job: AnswerJob): boolean {
  const route = job.resolution?.route?.config;
  const pool = route?.governance?.pool;
  const judge = route?.quality?.judge;
  if (pool === undefined || judge === undefined) return pool === undefined;
  const target = job.ctx.config.current?.targets.get(`${judge.provider}/${judge.model}`);
  return target !== undefined && satisfiesPool(target.provider.dataPolicy, pool);
}
