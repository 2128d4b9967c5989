import { z } from 'zod';

// The live part of each object's status: what the proxy fleet saw, summarised by the operator
// (docs/quality.md, "Live state in status"). Every field is optional: a figure nobody measured
// is left out rather than shown as 0.

/** Overall health of a ModelProvider, worst model first: the `Health` printer column. */
export const PROVIDER_HEALTH = ['Healthy', 'Degraded', 'CircuitOpen', 'Demoted', 'Idle'] as const;
/** A provider's health. */
export type ProviderHealth = (typeof PROVIDER_HEALTH)[number];

const usd = (description: string) => z.number().min(0).meta({ description });
const count = (description: string) => z.int().min(0).meta({ description });
const ms = (description: string) => z.number().min(0).meta({ description });
const percent = (description: string) => z.number().min(0).max(100).meta({ description });

const updatedAt = z.string().meta({
  description:
    'updatedAt is when the operator last summarised the fleet for this object (RFC 3339).',
  format: 'date-time',
});
const month = z
  .string()
  .max(7)
  .meta({ description: 'month the spend figures cover (UTC), YYYY-MM.' });
const proxies = count('proxies: proxy pods that reported in the last 30 seconds.');

const judged = z
  .strictObject({
    score: z
      .number()
      .min(1)
      .max(10)
      .meta({ description: 'score: rolling mean judge score, 1 to 10.' }),
    samples: count('samples: judged answers in the rolling window.'),
  })
  .meta({ description: 'quality: the rolling window of judged answers.' });

const modelLive = z
  .strictObject({
    name: z.string().max(128).meta({ description: 'name of the model (spec.models[].name).' }),
    circuit: z.enum(['closed', 'half-open', 'open']).meta({
      description: 'circuit: the worst circuit-breaker state any proxy reports for the model.',
    }),
    openOnProxies: count('openOnProxies: proxies whose circuit for the model is open.'),
    requests: count('requests: attempts on the model across the fleet in the last 5 minutes.'),
    errorRatePercent: percent('errorRatePercent of those attempts that failed.').optional(),
    p95LatencyMs: ms('p95LatencyMs of answers over the last 5 minutes.').optional(),
    p95TtftMs: ms(
      'p95TtftMs: p95 time to first token of streams over the last 5 minutes.',
    ).optional(),
    quality: judged.optional(),
    demoted: z.boolean().meta({
      description: 'demoted: routing skips the model for low judged quality (see demotedIn).',
    }),
    demotedIn: z.array(z.string().max(320)).max(64).optional().meta({
      description: 'demotedIn: the policies (namespace/name) in which the model is demoted.',
    }),
    spendUSD: usd('spendUSD on the model this month.'),
  })
  .meta({ description: 'Live state of one model.' });

/** status.live of a ModelProvider. */
export const providerLiveStatus = z
  .strictObject({
    updatedAt,
    month,
    proxies,
    health: z.enum(PROVIDER_HEALTH).meta({
      description:
        'health of the provider, its worst model: Demoted, CircuitOpen (open on some proxy), Degraded (half-open, or over 5 % errors), Healthy, or Idle (no traffic in 5 minutes).',
    }),
    demotedModels: count('demotedModels: models demoted in at least one policy.'),
    spendUSD: usd('spendUSD on the provider this month, across the fleet.'),
    models: z.array(modelLive).max(256).meta({ description: 'models: live state per model.' }),
  })
  .meta({
    description:
      'live: circuit state, latency, errors, judged quality, demotion and spend, as the proxy fleet saw them. Written by the operator at most every 10 s when it reads the fleet through Redis.',
  });
/** status.live of a ModelProvider. */
export type ProviderLiveStatus = z.output<typeof providerLiveStatus>;

const interval = z
  .strictObject({
    estimate: z.number().meta({ description: 'estimate of the difference (variant − control).' }),
    low: z.number().meta({ description: 'low end of the 95 % confidence interval.' }),
    high: z.number().meta({ description: 'high end of the 95 % confidence interval.' }),
  })
  .meta({ description: 'A difference between the arms with its 95 % confidence interval.' });

const arm = z
  .strictObject({
    arm: z.enum(['control', 'variant']).meta({ description: 'arm: control or variant.' }),
    policy: z.string().max(253).meta({ description: 'policy whose routing serves the arm.' }),
    requests: count('requests answered on the arm since the experiment started.'),
    errors: count('errors: requests that ended in an error.'),
    successes: count(
      'successes: HTTP 200, schema passed and, when judged, score at or above the floor.',
    ),
    costPerRequestUSD: usd('costPerRequestUSD: mean spend per request.').optional(),
    costPerSuccessUSD: usd('costPerSuccessUSD: spend divided by successes.').optional(),
    quality: judged.optional(),
    p95LatencyMs: ms('p95LatencyMs of the arm.').optional(),
  })
  .meta({ description: 'One arm of an experiment.' });

const experimentLive = z
  .strictObject({
    name: z.string().max(63).meta({ description: 'name of the experiment.' }),
    percent: percent('percent of requests routed to the variant.'),
    variantSharePercent: percent(
      'variantSharePercent: the share the variant really got.',
    ).optional(),
    arms: z.array(arm).max(2).meta({ description: 'arms: control first, then variant.' }),
    difference: z
      .strictObject({
        costPerRequestUSD: interval.optional(),
        costPerSuccessUSD: interval.optional(),
        qualityScore: interval.optional(),
        errorRatePercent: interval.optional(),
      })
      .optional()
      .meta({ description: 'difference: variant − control, with 95 % confidence intervals.' }),
  })
  .meta({ description: 'experiment: per-arm figures and their differences.' });

const tierShare = z
  .strictObject({
    name: z.string().max(63).meta({ description: 'name of the tier.' }),
    requests: count('requests the tier answered this month.'),
    sharePercent: percent('sharePercent of the answered requests.'),
  })
  .meta({ description: 'The share of one tier.' });

/** status.live of a RoutePolicy. */
export const policyLiveStatus = z
  .strictObject({
    updatedAt,
    month,
    proxies,
    requests: count('requests answered this month (cache hits included).'),
    spendUSD: usd('spendUSD this month: answers and judge calls.'),
    budgetUSD: usd('budgetUSD: spec.budget.monthlyUSD, when set.').optional(),
    budgetUsedPercent: z
      .number()
      .min(0)
      .meta({
        description:
          'budgetUsedPercent of the monthly budget spent (may pass 100 with onExhausted: cheapest).',
      })
      .optional(),
    judgeSpendUSD: usd('judgeSpendUSD: what the judge calls cost this month (part of spendUSD).'),
    costAvoidedUSD: usd(
      "costAvoidedUSD: what the same answers would have cost on the policy's most capable tier, minus what they cost.",
    ),
    cacheHitRatePercent: percent(
      'cacheHitRatePercent of requests answered from the cache.',
    ).optional(),
    successRatePercent: percent(
      'successRatePercent: HTTP 200, schema passed and, when judged, at or above the floor.',
    ).optional(),
    tiers: z.array(tierShare).max(8).meta({ description: 'tiers: share of requests per tier.' }),
    experiment: experimentLive.optional(),
  })
  .meta({
    description:
      'live: spend against budget, tier shares, cache hit rate, cost avoided and the experiment report, as the proxy fleet counted them. Written by the operator at most every 10 s when it reads the fleet through Redis.',
  });
/** status.live of a RoutePolicy. */
export type PolicyLiveStatus = z.output<typeof policyLiveStatus>;
