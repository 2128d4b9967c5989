import { assignArm, type Arm } from '../../core/experiment/assign-arm.ts';
import { policyIdOf, type PolicyId } from '../../core/live/fleet-keys.ts';
import type { Resolution } from '../../core/routing/decide.ts';
import type { AnswerJob } from '../answer/answer-job.ts';

/** The experiment arm of one request. */
export interface ExperimentArm {
  name: string;
  arm: Arm;
  /** The alias the client sent (the control policy's), for the experiment's metrics. */
  route: string;
  /** The control policy, whose experiment counters the request adds to. */
  policy: PolicyId;
}

/** Response headers naming the experiment and the arm (part of the routing receipt). */
export const EXPERIMENT_HEADER = 'x-switchyard-experiment';
export const ARM_HEADER = 'x-switchyard-arm';

/**
 * Puts a request of a policy that runs an experiment on an arm, and returns the resolution that
 * serves it: the policy's own, or its variant's route for the variant arm. The arm rides in the
 * receipt headers of whatever answer follows (set here, before any is written, so success, stream,
 * cache hit and error all carry it), in the log line and in the experiment's counters. One hop
 * only: the variant's own experiment is not followed.
 */
export function chooseArm(job: AnswerJob, resolution: Resolution): Resolution {
  const route = resolution.route;
  const experiment = route?.config.experiment;
  if (route === undefined || experiment === undefined) return resolution;
  const variant = job.ctx.config.current?.routes.get(experiment.variant);
  if (variant === undefined) return resolution;
  const arm = assignArm(experiment, job.tenant, job.ctx.random());
  job.experiment = {
    name: experiment.name,
    arm,
    route: resolution.routeName,
    policy: policyIdOf(route.config),
  };
  job.res.setHeader(EXPERIMENT_HEADER, experiment.name);
  job.res.setHeader(ARM_HEADER, arm);
  return arm === 'variant'
    ? { routeName: experiment.variant, route: variant, direct: undefined }
    : resolution;
}
