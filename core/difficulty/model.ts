import { z } from 'zod';
import type { DifficultyInput } from './difficulty-input.ts';
import { DENSE_FEATURES, extractFeatures } from './features.ts';

/**
 * A trained difficulty model as stored in its data file (`difficulty-model-v1.json`): a logistic
 * regression over the dense features and hashed word n-grams, written by
 * `tools/difficulty/train.ts`.
 */
export const difficultyModelFile = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  /** The feature list the weights follow; must equal {@link DENSE_FEATURES}. */
  denseFeatures: z.array(z.string()),
  denseWeights: z.array(z.number()),
  /** Size of the n-gram hash space, a power of two. */
  buckets: z
    .int()
    .min(1)
    .max(1 << 20),
  /** Non-zero n-gram weights as [bucket, weight] pairs. */
  bucketWeights: z.array(z.tuple([z.int().min(0), z.number()])),
  bias: z.number(),
  /** The score at or above which a request needs the top tier, picked on the dev split. */
  defaultThreshold: z.number().min(0).max(1),
  /**
   * Scores of the training prompts at the 0th, 1st, … 100th percentile: how `premiumShare`
   * becomes a threshold when no dataset of the user's own is at hand.
   */
  percentiles: z.array(z.number().min(0).max(1)).length(101),
  /** Where the weights came from (data, split, figures): documentation, not read by code. */
  training: z.record(z.string(), z.unknown()),
});
/** The stored form of a difficulty model. */
export type DifficultyModelFile = z.output<typeof difficultyModelFile>;

/** A loaded model: weights in typed arrays for scoring. */
export interface DifficultyModel {
  name: string;
  buckets: number;
  weights: Float64Array;
  bias: number;
  defaultThreshold: number;
  percentiles: readonly number[];
}

/** Validates a model file and lays its weights out for scoring; throws on a schema mismatch. */
export function loadDifficultyModel(file: unknown): DifficultyModel {
  const model = difficultyModelFile.parse(file);
  const names = model.denseFeatures.join(',');
  if (names !== DENSE_FEATURES.join(',')) {
    throw new Error(
      `difficulty model ${model.name} was trained on other features (${names}); retrain it with tools/difficulty/train.ts`,
    );
  }
  if (model.denseWeights.length !== DENSE_FEATURES.length)
    throw new Error(`difficulty model ${model.name}: denseWeights has the wrong length`);
  if ((model.buckets & (model.buckets - 1)) !== 0)
    throw new Error(`difficulty model ${model.name}: buckets must be a power of two`);
  const weights = new Float64Array(DENSE_FEATURES.length + model.buckets);
  weights.set(model.denseWeights, 0);
  for (const [bucket, weight] of model.bucketWeights) {
    if (bucket >= model.buckets)
      throw new Error(`difficulty model ${model.name}: bucket ${bucket} out of range`);
    weights[DENSE_FEATURES.length + bucket] = weight;
  }
  return {
    name: model.name,
    buckets: model.buckets,
    weights,
    bias: model.bias,
    defaultThreshold: model.defaultThreshold,
    percentiles: model.percentiles,
  };
}

/**
 * The request's difficulty: the model's probability, 0 to 1, that a budget model's answer is
 * not good enough and the top tier is needed. Pure and deterministic; bounded cost (see
 * {@link extractFeatures}).
 */
export function scoreDifficulty(model: DifficultyModel, input: DifficultyInput): number {
  const { indices, values } = extractFeatures(input, model.buckets);
  let z = model.bias;
  for (let i = 0; i < indices.length; i++) {
    z += (model.weights[indices[i] as number] as number) * (values[i] as number);
  }
  return 1 / (1 + Math.exp(-z));
}

/**
 * The threshold that sends `share` (0 to 1) of the model's training prompts to the top tier:
 * the (1 − share) percentile of their scores, interpolated.
 */
export function thresholdForShare(percentiles: readonly number[], share: number): number {
  const position = Math.min(100, Math.max(0, (1 - share) * 100));
  const low = Math.floor(position);
  const high = Math.min(100, low + 1);
  const a = percentiles[low] as number;
  const b = percentiles[high] as number;
  return a + (b - a) * (position - low);
}
