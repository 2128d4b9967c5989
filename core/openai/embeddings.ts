import { z } from 'zod';

/** The body of `POST /v1/embeddings`. Unknown top-level fields pass through. */
export const embeddingsRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.int()).min(1),
    z.array(z.array(z.int()).min(1)).min(1),
  ]),
  dimensions: z.int().min(1).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  user: z.string().nullish(),
});
/** An embeddings request. */
export type EmbeddingsRequest = z.output<typeof embeddingsRequest>;

/** The body of an embeddings response; `embedding` is a base64 string for encoding_format base64. */
export const embeddingsResponse = z.looseObject({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({
      object: z.literal('embedding'),
      index: z.int().min(0),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.int().min(0), total_tokens: z.int().min(0) }),
});
/** An embeddings response. */
export type EmbeddingsResponse = z.output<typeof embeddingsResponse>;
