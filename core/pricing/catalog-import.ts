import { API_VERSION, MODEL_NAME_PATTERN } from '../api/common.ts';
import type { ProviderApi } from '../api/model-provider.ts';
import type { PriceFeedFormat } from '../api/price-feed.ts';
import { compareText } from '../compile/object-id.ts';
import { DEFAULT_BASE_URLS } from '../compile/provider-config.ts';
import type { FeedDocument, FeedModel, FeedValue } from './feed-document.ts';

/** The most models one ModelProvider may hold (spec.models maxItems). */
export const MAX_MODELS = 256;

/** What `switchyard catalog import` was asked for. */
export interface CatalogImportOptions {
  format: PriceFeedFormat;
  /** The ModelProvider's name. */
  provider: string;
  namespace: string | undefined;
  /** Feed ids or globs (`openai/*`); empty selects every chat and embedding model. */
  models: readonly string[];
  /** Give every model a pricing.feedRef to this PriceFeed. */
  feed: string | undefined;
  /** The source URL, for the PriceFeed manifest (undefined for a file). */
  feedUrl: string | undefined;
  api: ProviderApi | undefined;
  baseURL: string | undefined;
  /** Secret name and key of the API key; undefined for no auth. */
  secret: { name: string; key: string } | undefined;
}

/** The manifests to print, and what was left out or went wrong. */
export interface CatalogImport {
  manifests: Record<string, unknown>[];
  /** Models skipped and why, one line each. */
  notes: string[];
  /** Problems that leave nothing to print. */
  errors: string[];
}

/** Where LiteLLM's providers are served, for a ModelProvider's api and baseURL. */
const LITELLM_ENDPOINTS: Readonly<Record<string, { api: ProviderApi; baseURL: string }>> = {
  openai: { api: 'openai', baseURL: DEFAULT_BASE_URLS.openai },
  anthropic: { api: 'anthropic', baseURL: DEFAULT_BASE_URLS.anthropic },
  gemini: { api: 'gemini', baseURL: DEFAULT_BASE_URLS.gemini },
  deepseek: { api: 'openai', baseURL: 'https://api.deepseek.com/v1' },
  mistral: { api: 'openai', baseURL: 'https://api.mistral.ai/v1' },
  groq: { api: 'openai', baseURL: 'https://api.groq.com/openai/v1' },
  xai: { api: 'openai', baseURL: 'https://api.x.ai/v1' },
  dashscope: { api: 'openai', baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1' },
  openrouter: { api: 'openai', baseURL: 'https://openrouter.ai/api/v1' },
};

const OPENROUTER_ENDPOINT: Endpoint = { api: 'openai', baseURL: 'https://openrouter.ai/api/v1' };

/**
 * Builds a ModelProvider (and, for a feed read from a URL with `feed` set, its PriceFeed) from a
 * catalog document: one model per selected feed entry, with its prices, context window, output
 * limit and capabilities mapped, so that a provider can be bootstrapped in one command and then
 * follow the same catalog's prices. Entries without a usable price or context window are skipped
 * with a note. Pure: the CLI reads the document and prints the result.
 */
export function importCatalog(
  document: FeedDocument,
  options: CatalogImportOptions,
): CatalogImport {
  const result: CatalogImport = { manifests: [], notes: [], errors: [] };
  const selected = select(document, options.models, result);
  if (result.errors.length > 0) return result;
  const models = selected.flatMap((model) => modelOf(model, options, result.notes));
  if (models.length === 0) {
    result.errors.push('no model left to import (see the notes above)');
    return result;
  }
  if (models.length > MAX_MODELS) {
    result.errors.push(
      `${models.length} models match, and a ModelProvider holds at most ${MAX_MODELS}: narrow the selection with --models (globs like 'openai/*' work)`,
    );
    return result;
  }
  nameModels(models, selected);
  const endpoint = endpointOf(options, selected, result.errors);
  if (endpoint === undefined) return result;
  const metadata = {
    name: options.provider,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  };
  if (options.feed !== undefined && options.feedUrl !== undefined) {
    result.manifests.push({
      apiVersion: API_VERSION,
      kind: 'PriceFeed',
      metadata: { ...metadata, name: options.feed },
      spec: { url: options.feedUrl, format: options.format },
    });
  }
  result.manifests.push({
    apiVersion: API_VERSION,
    kind: 'ModelProvider',
    metadata,
    spec: {
      api: endpoint.api,
      baseURL: endpoint.baseURL,
      ...(options.secret === undefined ? {} : { auth: { secretRef: options.secret } }),
      models: models.map(({ spec }) => spec),
    },
  });
  return result;
}

/** The entries the selection names, in id order; an id or glob that matches nothing is an error. */
function select(
  document: FeedDocument,
  patterns: readonly string[],
  out: CatalogImport,
): FeedModel[] {
  const all = [...document.models.values()].sort((a, b) => compareText(a.id, b.id));
  if (patterns.length === 0) {
    const usable = all.filter((model) => model.kind !== 'other');
    const others = all.length - usable.length;
    if (others > 0)
      out.notes.push(
        `skipped ${others} ${others === 1 ? 'model that is' : 'models that are'} neither chat nor embedding`,
      );
    return usable;
  }
  const chosen = new Set<FeedModel>();
  for (const pattern of patterns) {
    const matcher = globMatcher(pattern);
    const matched = all.filter((model) => matcher(model.id));
    if (matched.length === 0) {
      const near = all
        .filter((model) => model.id.includes(pattern.replaceAll('*', '')))
        .slice(0, 3);
      const hint = near.length === 0 ? '' : ` (did you mean ${near.map((m) => m.id).join(', ')}?)`;
      out.errors.push(`--models: "${pattern}" matches no model in the catalog${hint}`);
    }
    for (const model of matched) chosen.add(model);
  }
  return all.filter((model) => chosen.has(model));
}

function globMatcher(pattern: string): (id: string) => boolean {
  if (!pattern.includes('*')) return (id) => id === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (id) => regex.test(id);
}

interface BuiltModel {
  feedModel: FeedModel;
  spec: Record<string, unknown>;
}

function modelOf(model: FeedModel, options: CatalogImportOptions, notes: string[]): BuiltModel[] {
  const { values } = model;
  const skip = (why: string): BuiltModel[] => {
    notes.push(`skipped ${model.id}: ${why}`);
    return [];
  };
  if (model.kind === 'other') return skip('neither a chat nor an embedding model');
  const input = price(values.inputPerMillion);
  if (input === undefined) return skip('no valid input price');
  // Embedding models have no output; a chat model without an output price cannot be ranked.
  const output =
    model.kind === 'embedding'
      ? (price(values.outputPerMillion) ?? 0)
      : price(values.outputPerMillion);
  if (output === undefined) return skip('no valid output price');
  const contextWindow = positive(values.contextWindow);
  if (contextWindow === undefined) return skip('no context window');
  const maxOutput = positive(values.maxOutputTokens);
  const cached = positive(values.cachedInputPerMillion);
  const cacheWrite = positive(values.cacheWritePerMillion);
  const reasoning = positive(values.reasoningPerMillion);
  const pricing: Record<string, unknown> = { inputPerMillion: input, outputPerMillion: output };
  if (cached !== undefined && cached <= input) pricing['cachedInputPerMillion'] = cached;
  if (cacheWrite !== undefined) pricing['cacheWritePerMillion'] = cacheWrite;
  if (reasoning !== undefined) pricing['reasoningPerMillion'] = reasoning;
  if (options.feed !== undefined) pricing['feedRef'] = { name: options.feed, id: model.id };
  return [
    {
      feedModel: model,
      spec: {
        name: '',
        upstreamName: upstreamNameOf(model, options.format),
        contextWindow,
        ...(maxOutput === undefined ? {} : { maxOutputTokens: Math.min(maxOutput, contextWindow) }),
        pricing,
        capabilities: [...model.capabilities].sort(compareText),
      },
    },
  ];
}

function price(value: FeedValue): number | undefined {
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

function positive(value: FeedValue): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** OpenRouter wants its own ids; LiteLLM's keys carry a provider prefix that the provider does not. */
function upstreamNameOf(model: FeedModel, format: PriceFeedFormat): string {
  if (format === 'openrouter') return model.id;
  const prefix = `${model.provider ?? ''}/`;
  return model.provider !== undefined && model.id.startsWith(prefix)
    ? model.id.slice(prefix.length)
    : model.id;
}

/**
 * Model names: the id's last path segment (openai/gpt-4o → gpt-4o), cleaned to what a model name
 * may hold; the whole id when two entries would share a name; a numeric suffix as a last resort.
 */
function nameModels(models: BuiltModel[], selected: readonly FeedModel[]): void {
  const short = (id: string) => cleanName(id.slice(id.lastIndexOf('/') + 1));
  const counts = new Map<string, number>();
  for (const model of selected) counts.set(short(model.id), (counts.get(short(model.id)) ?? 0) + 1);
  const taken = new Set<string>();
  for (const model of models) {
    const id = model.feedModel.id;
    const base = (counts.get(short(id)) ?? 0) > 1 ? cleanName(id) : short(id);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 120)}-${n}`;
    taken.add(name);
    model.spec['name'] = name;
  }
}

function cleanName(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 128)
    .replace(/[^A-Za-z0-9]+$/g, '');
  return new RegExp(MODEL_NAME_PATTERN).test(cleaned) ? cleaned : 'model';
}

type Endpoint = { api: ProviderApi; baseURL: string };

function endpointOf(
  options: CatalogImportOptions,
  selected: readonly FeedModel[],
  errors: string[],
): Endpoint | undefined {
  if (options.api !== undefined && options.baseURL !== undefined) {
    return { api: options.api, baseURL: options.baseURL };
  }
  const known =
    options.format === 'openrouter' ? OPENROUTER_ENDPOINT : liteLlmEndpoint(selected, errors);
  if (known === undefined) return undefined;
  const api = options.api ?? known.api;
  // A different api than the catalog's means a different endpoint: its default.
  const baseURL = options.baseURL ?? (api === known.api ? known.baseURL : DEFAULT_BASE_URLS[api]);
  return { api, baseURL };
}

/** The endpoint of the one LiteLLM provider the selected models come from. */
function liteLlmEndpoint(selected: readonly FeedModel[], errors: string[]): Endpoint | undefined {
  const providers = [...new Set(selected.map((model) => model.provider ?? '(none)'))].sort();
  if (providers.length > 1) {
    errors.push(
      `the selected models come from ${providers.length} LiteLLM providers (${providers.join(', ')}); a ModelProvider is one endpoint: select one provider's models with --models, or pass --api and --base-url`,
    );
    return undefined;
  }
  const known = LITELLM_ENDPOINTS[providers[0] ?? ''];
  if (known === undefined) {
    errors.push(
      `LiteLLM provider "${providers[0] ?? ''}" has no endpoint Switchyard knows; pass --api and --base-url`,
    );
  }
  return known;
}
