import { z } from 'zod';
import type { ModelCapability } from '../api/model-provider.ts';
import type { FeedField, PriceFeedFormat } from '../api/price-feed.ts';
import { perMillion, tokenCount, type Invalid } from './per-million.ts';

/** What a feed says about one field: a number (0 included: the guard decides), INVALID, or nothing. */
export type FeedValue = number | Invalid | undefined;

/** What kind of model an entry is; only chat and embedding models can be imported or routed to. */
export type FeedModelKind = 'chat' | 'embedding' | 'other';

/** One model of a feed document, in the units of the API. */
export interface FeedModel {
  /** The id the feed lists it under (OpenRouter `id`, LiteLLM key). */
  id: string;
  values: Partial<Record<FeedField, FeedValue>>;
  kind: FeedModelKind;
  /** Capabilities the feed declares (used by `switchyard catalog import`). */
  capabilities: ModelCapability[];
  /** LiteLLM's `litellm_provider`; undefined for OpenRouter (every model is served by OpenRouter). */
  provider: string | undefined;
}

/** A parsed feed document: its models by id. */
export interface FeedDocument {
  models: ReadonlyMap<string, FeedModel>;
  /** Entries that could not be read at all (no id, not an object); they are skipped. */
  skipped: number;
}

/** The outcome of parsing a document: the models, or what is wrong with it. */
export type FeedParse = { ok: true; document: FeedDocument } | { ok: false; message: string };

// Numbers are read by perMillion()/tokenCount(), which turn anything odd into INVALID.
const anyNumber = z.unknown().optional();
const stringList = z.array(z.string()).nullish().catch(undefined);

// The fields of OpenRouter's /api/v1/models entries that Switchyard reads; the rest pass through.
const openRouterModel = z.looseObject({
  id: z.string().min(1).max(256),
  context_length: anyNumber,
  pricing: z
    .looseObject({
      prompt: anyNumber,
      completion: anyNumber,
      input_cache_read: anyNumber,
      input_cache_write: anyNumber,
      internal_reasoning: anyNumber,
    })
    .nullish(),
  top_provider: z
    .looseObject({ context_length: anyNumber, max_completion_tokens: anyNumber })
    .nullish()
    .catch(undefined),
  architecture: z
    .looseObject({ input_modalities: stringList, output_modalities: stringList })
    .nullish()
    .catch(undefined),
  supported_parameters: stringList,
});

// The fields of a model_prices_and_context_window.json entry that Switchyard reads.
const liteLlmModel = z.looseObject({
  input_cost_per_token: anyNumber,
  output_cost_per_token: anyNumber,
  cache_read_input_token_cost: anyNumber,
  cache_creation_input_token_cost: anyNumber,
  output_cost_per_reasoning_token: anyNumber,
  max_input_tokens: anyNumber,
  max_output_tokens: anyNumber,
  max_tokens: anyNumber,
  litellm_provider: z.string().nullish().catch(undefined),
  mode: z.string().nullish().catch(undefined),
  supports_function_calling: z.boolean().nullish().catch(undefined),
  supports_response_schema: z.boolean().nullish().catch(undefined),
  supports_vision: z.boolean().nullish().catch(undefined),
  supports_reasoning: z.boolean().nullish().catch(undefined),
});

/**
 * Parses a feed document. The document as a whole must be JSON in the declared format with at
 * least one readable model, or nothing is used (a feed that changed its shape must not read as
 * "every model vanished"). Within it, an entry that cannot be read is skipped and a value that is
 * not a number becomes INVALID, so one bad entry does not block the others.
 */
export function parseFeedDocument(format: PriceFeedFormat, text: string): FeedParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
  const read = format === 'openrouter' ? readOpenRouter(json) : readLiteLlm(json);
  if (typeof read === 'string') return { ok: false, message: read };
  if (read.models.size === 0) {
    return {
      ok: false,
      message: `no model could be read as ${format} (${read.skipped} entries skipped)`,
    };
  }
  return { ok: true, document: read };
}

function readOpenRouter(json: unknown): FeedDocument | string {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    return 'expected an OpenRouter /api/v1/models document: an object with a "data" array';
  }
  const models = new Map<string, FeedModel>();
  let skipped = 0;
  for (const entry of data) {
    const parsed = openRouterModel.safeParse(entry);
    if (!parsed.success || models.has(parsed.data.id)) {
      skipped++;
      continue;
    }
    const m = parsed.data;
    const outputs = m.architecture?.output_modalities ?? ['text'];
    models.set(m.id, {
      id: m.id,
      values: openRouterValues(m),
      kind: outputs.includes('text') ? 'chat' : 'other',
      capabilities: openRouterCapabilities(
        m.supported_parameters ?? [],
        m.architecture?.input_modalities ?? [],
      ),
      provider: undefined,
    });
  }
  return { models, skipped };
}

function openRouterValues(m: z.output<typeof openRouterModel>): FeedModel['values'] {
  return {
    inputPerMillion: perMillion(m.pricing?.prompt),
    outputPerMillion: perMillion(m.pricing?.completion),
    cachedInputPerMillion: perMillion(m.pricing?.input_cache_read),
    cacheWritePerMillion: perMillion(m.pricing?.input_cache_write),
    reasoningPerMillion: perMillion(m.pricing?.internal_reasoning),
    contextWindow: tokenCount(m.context_length ?? m.top_provider?.context_length),
    maxOutputTokens: tokenCount(m.top_provider?.max_completion_tokens),
  };
}

function openRouterCapabilities(parameters: readonly string[], inputs: readonly string[]) {
  const caps: ModelCapability[] = ['streaming'];
  if (parameters.includes('tools')) caps.push('tools');
  if (parameters.includes('response_format') || parameters.includes('structured_outputs')) {
    caps.push('json');
  }
  if (inputs.includes('image')) caps.push('vision');
  if (parameters.includes('reasoning') || parameters.includes('include_reasoning')) {
    caps.push('reasoning');
  }
  return caps;
}

function readLiteLlm(json: unknown): FeedDocument | string {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return 'expected a LiteLLM model_prices_and_context_window.json document: an object of models by name';
  }
  const models = new Map<string, FeedModel>();
  let skipped = 0;
  for (const [id, entry] of Object.entries(json)) {
    // The file documents its own fields in a first entry that is not a model.
    if (id === 'sample_spec') continue;
    const parsed = liteLlmModel.safeParse(entry);
    if (!parsed.success || id.length > 256) {
      skipped++;
      continue;
    }
    const m = parsed.data;
    const kind: FeedModelKind =
      m.mode === 'embedding' ? 'embedding' : m.mode === 'chat' || m.mode == null ? 'chat' : 'other';
    models.set(id, {
      id,
      values: {
        inputPerMillion: perMillion(m.input_cost_per_token),
        outputPerMillion: perMillion(m.output_cost_per_token),
        cachedInputPerMillion: perMillion(m.cache_read_input_token_cost),
        cacheWritePerMillion: perMillion(m.cache_creation_input_token_cost),
        reasoningPerMillion: perMillion(m.output_cost_per_reasoning_token),
        // max_tokens is LiteLLM's legacy field: the output limit when max_output_tokens is set.
        contextWindow: tokenCount(m.max_input_tokens ?? m.max_tokens),
        maxOutputTokens: tokenCount(m.max_output_tokens),
      },
      kind,
      capabilities: kind === 'embedding' ? ['embeddings'] : liteLlmCapabilities(m),
      provider: m.litellm_provider ?? undefined,
    });
  }
  return { models, skipped };
}

function liteLlmCapabilities(m: z.output<typeof liteLlmModel>): ModelCapability[] {
  const caps: ModelCapability[] = ['streaming'];
  if (m.supports_function_calling === true) caps.push('tools');
  if (m.supports_response_schema === true) caps.push('json');
  if (m.supports_vision === true) caps.push('vision');
  if (m.supports_reasoning === true) caps.push('reasoning');
  return caps;
}

/** Whether a value is a usable positive number (not missing, zero or invalid). */
export function isPositive(value: FeedValue): value is number {
  return typeof value === 'number' && value > 0;
}
