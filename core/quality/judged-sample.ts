import { z } from 'zod';
import type { ChatMessage } from '../openai/types.ts';

/**
 * One judged answer as the proxies keep it for export (newest first, bounded per policy). The
 * request's messages are kept only when the policy opts in (`quality.export.includeRequestText`).
 */
export const judgedSample = z.looseObject({
  /** When the verdict came, RFC 3339. */
  at: z.string(),
  requestId: z.string(),
  /** The alias the client sent, and the policy (namespace/name) that answered. */
  route: z.string(),
  policy: z.string(),
  /** The policy's tiers, cheapest first, so a label can be derived from the judged tier. */
  tiers: z.array(z.string()),
  tier: z.string(),
  target: z.string(),
  score: z.number(),
  reason: z.string(),
  /** The policy's floor when the sample was judged. */
  floor: z.number(),
  experiment: z.string().optional(),
  arm: z.enum(['control', 'variant']).optional(),
  messages: z.array(z.unknown()).optional(),
});
/** A judged sample. */
export type JudgedSample = z.output<typeof judgedSample>;

/** A line of a `switchyard eval` dataset, as written by `switchyard quality export`. */
export interface EvalDatasetLine {
  id: string;
  messages?: ChatMessage[];
  label: string;
  grades: Record<string, number>;
}

/**
 * The `switchyard eval` dataset line for a judged sample: `grades` holds the judged tier's score;
 * `label` (the cheapest adequate tier) is the judged tier when it scored at or above the floor,
 * else the next more capable tier — what one judged answer can tell. Lines without request text
 * carry no `messages` (see docs/quality.md, "Judged samples as data").
 */
export function evalLineOf(sample: JudgedSample): EvalDatasetLine {
  const index = sample.tiers.indexOf(sample.tier);
  const adequate = sample.score >= sample.floor;
  const label = adequate || index < 0 ? sample.tier : (sample.tiers[index + 1] ?? sample.tier);
  return {
    id: sample.requestId,
    ...(sample.messages === undefined ? {} : { messages: sample.messages as ChatMessage[] }),
    label,
    grades: { [sample.tier]: sample.score },
  };
}
