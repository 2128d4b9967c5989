import { z } from 'zod';
import { DNS_LABEL_PATTERN, objectName, targetRef } from './common.ts';
import { ordered, stringMap, withRules } from './schema-kit.ts';
import { DEMOTION_DEFAULTS } from './quality-defaults.ts';

/** How an experiment keeps a client on one arm. */
export const EXPERIMENT_STICKINESS = ['tenant', 'request'] as const;

const demotion = withRules(
  z.strictObject({
    below: z
      .number()
      .min(1)
      .lt(10)
      .optional()
      .meta({
        description: `below: a target whose rolling mean score falls below this (over at least minSamples judged answers) is demoted: routing skips it like an open circuit, on every proxy. 1 to 10 (exclusive). Defaults to ${DEMOTION_DEFAULTS.below}, or lower when restoreAbove is set lower.`,
      }),
    restoreAbove: z
      .number()
      .gt(1)
      .max(10)
      .optional()
      .meta({
        description: `restoreAbove: a demoted target is restored once its rolling mean rises above this; higher than below, so a target near the line does not flap. 1 (exclusive) to 10. Defaults to ${DEMOTION_DEFAULTS.restoreAbove}, or to below + 1.5 (at most 10) when below is set higher.`,
      }),
    minSamples: z
      .int()
      .min(1)
      .max(1000)
      .optional()
      .meta({
        description: `minSamples: judged answers the window must hold before a target can be demoted or restored. Defaults to ${DEMOTION_DEFAULTS.minSamples}, or to window when that is set lower.`,
      }),
    window: z
      .int()
      .min(1)
      .max(1000)
      .optional()
      .meta({
        description: `window: how many of the latest judged answers the rolling mean covers, at least minSamples. Defaults to ${DEMOTION_DEFAULTS.window}, or to minSamples when that is set higher.`,
      }),
    probationPercent: z.number().min(0).max(50).default(5).meta({
      description:
        'probationPercent of requests may still reach a demoted target, and every such answer is judged, so a model that recovers is seen to recover. Defaults to 5.',
    }),
  }),
  [ordered('below', 'restoreAbove', true), ordered('minSamples', 'window')],
).meta({
  description:
    'demotion takes a target out of routing while its judged quality is low, with hysteresis; the last target of a policy that is not demoted is never demoted.',
});

const exportSettings = z
  .strictObject({
    maxSamples: z.int().min(0).max(100000).default(1000).meta({
      description:
        'maxSamples: judged samples kept for `switchyard quality export` (the newest; fleet-wide with Redis). 0 keeps none. Defaults to 1000.',
    }),
    includeRequestText: z.boolean().default(false).meta({
      description:
        "includeRequestText keeps the request's messages with each judged sample, so the export can be used as a `switchyard eval` dataset. Off by default: prompts are customer data.",
    }),
  })
  .meta({ description: 'export: what is kept of judged samples for export.' });

/** The quality loop of a RoutePolicy: judged samples, scores, demotion. */
export const qualitySpec = z
  .strictObject({
    judge: targetRef.meta({
      description:
        'judge is the model that grades sampled answers (usually a premium one), a provider/model in the same namespace.',
    }),
    samplePercent: z.number().min(0).max(100).default(5).meta({
      description:
        'samplePercent of answers (per tier, unless tierSamplePercent says otherwise) judged after they reached the client. Defaults to 5.',
    }),
    tierSamplePercent: stringMap(z.number().min(0).max(100), 8, {
      rule: "k.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
      message: 'tierSamplePercent keys must be tier names',
      holds: (key) => new RegExp(DNS_LABEL_PATTERN).test(key),
    })
      .optional()
      .meta({
        description:
          'tierSamplePercent overrides samplePercent for the named tiers, e.g. {premium: 1}. Keys must name tiers of spec.tiers.',
      }),
    rubric: z.string().min(1).max(4096).optional().meta({
      description:
        'rubric tells the judge what a good answer is for this policy; the default asks for correctness, completeness and clarity.',
    }),
    timeoutMs: z.int().min(100).max(120000).default(20000).meta({
      description:
        'timeoutMs bounds one judge call; a judge that times out scores nothing (counted, never guessed). Defaults to 20000.',
    }),
    floor: z.number().min(1).max(10).default(7).meta({
      description:
        'floor: a judged answer scoring below this does not count as a successful request (cost per successful request). Defaults to 7.',
    }),
    demotion: demotion.optional(),
    maxConcurrency: z.int().min(1).max(64).default(2).meta({
      description: 'maxConcurrency: judge calls in flight per proxy pod. Defaults to 2.',
    }),
    queueSize: z.int().min(1).max(10000).default(100).meta({
      description:
        'queueSize: sampled answers waiting for the judge per proxy pod; when full, new samples are dropped and counted. Defaults to 100.',
    }),
    export: exportSettings.prefault({}),
  })
  .meta({
    description:
      "quality samples answers and has a judge model score them 1 to 10, off the client's time; scores feed a rolling window per target, cost per successful request, demotion and `switchyard quality export`.",
  });
/** A policy's quality settings, defaults applied. */
export type QualitySpec = z.output<typeof qualitySpec>;

/** An experiment: a share of a policy's traffic routed by another policy. */
export const experimentSpec = z
  .strictObject({
    name: z.string().min(1).max(63).regex(new RegExp(DNS_LABEL_PATTERN)).optional().meta({
      description:
        'name of the experiment (DNS label), in metrics, logs, receipts and reports. Defaults to the variant name.',
    }),
    variant: objectName.max(63).meta({
      description:
        'variant is the name of another RoutePolicy in the same namespace whose tiers, classification and failover serve the variant arm.',
    }),
    percent: z.number().min(0).max(100).meta({
      description: 'percent of requests that go to the variant arm, 0 to 100.',
    }),
    stickyBy: z.enum(EXPERIMENT_STICKINESS).default('tenant').meta({
      description:
        'stickyBy: tenant keeps every request of a tenant (client key name or x-switchyard-tenant) on one arm (requests without a tenant are assigned one by one); request assigns each request afresh. Defaults to tenant.',
    }),
  })
  .meta({
    description:
      'experiment compares two routing strategies on live traffic: percent of the requests are routed by the variant policy; every metric, log line and receipt names the arm, and status.live.experiment reports both arms.',
  });
/** An experiment, defaults applied. */
export type ExperimentSpec = z.output<typeof experimentSpec>;
