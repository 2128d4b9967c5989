// `node bench/price-feeds.ts`: what following a price feed costs the operator, each figure against
// a baseline measured in the same run. Not a test: it prints numbers.
//   1. Reading a feed document the size of the real ones (LiteLLM ~2,500 entries, OpenRouter
//      ~400) with zod and exact per-million conversion, against a bare JSON.parse of the same text.
//   2. One sync step (guard + status) for 200 referenced models, against reading the document.
//   3. compile() of 50 providers × 20 models whose prices all come from a feed, against the same
//      snapshot with static prices only.
import { compile } from '../core/compile/compile.ts';
import type { RawObject, Snapshot } from '../core/compile/snapshot.ts';
import { priceFeedSpec } from '../core/api/price-feed.ts';
import { parseFeedDocument, type FeedDocument } from '../core/pricing/feed-document.ts';
import { nextFeedStatus } from '../core/pricing/feed-status.ts';
import type { TrackedModel } from '../core/pricing/tracked-models.ts';
import { summarize } from './lib/stats.ts';

const ROUNDS = Number(process.env['ROUNDS'] ?? 30);

function time(rounds: number, body: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) body(); // warm up
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    body();
    samples.push(performance.now() - started);
  }
  return summarize(samples).p50;
}

function liteLlmText(entries: number): string {
  const doc: Record<string, unknown> = { sample_spec: { mode: 'one of: chat, embedding' } };
  for (let i = 0; i < entries; i++) {
    doc[`vendor/model-${i}`] = {
      cache_read_input_token_cost: 1.25e-6,
      input_cost_per_token: (1 + (i % 50)) * 1e-7,
      litellm_provider: 'openai',
      max_input_tokens: 128000,
      max_output_tokens: 16384,
      max_tokens: 16384,
      mode: i % 10 === 0 ? 'embedding' : 'chat',
      output_cost_per_token: (4 + (i % 50)) * 1e-7,
      supports_function_calling: true,
      supports_response_schema: true,
      supports_vision: i % 3 === 0,
      supports_prompt_caching: true,
      supports_system_messages: true,
      supports_tool_choice: true,
    };
  }
  return JSON.stringify(doc, null, 4);
}

function openRouterText(entries: number): string {
  const data = Array.from({ length: entries }, (_, i) => ({
    id: `vendor/model-${i}`,
    canonical_slug: `vendor/model-${i}`,
    name: `Vendor: Model ${i}`,
    created: 1733506137,
    description: 'A model. '.repeat(40),
    context_length: 128000,
    architecture: {
      modality: 'text+image->text',
      input_modalities: ['text', 'image'],
      output_modalities: ['text'],
      tokenizer: 'Other',
      instruct_type: null,
    },
    pricing: {
      prompt: ((1 + (i % 50)) * 1e-7).toFixed(10),
      completion: ((4 + (i % 50)) * 1e-7).toFixed(10),
      request: '0',
      image: '0',
      web_search: '0',
      internal_reasoning: '0',
      input_cache_read: '0.00000125',
    },
    top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: false },
    per_request_limits: null,
    supported_parameters: ['max_tokens', 'temperature', 'tools', 'response_format', 'top_p'],
  }));
  return JSON.stringify({ data });
}

function parsed(format: 'openrouter' | 'litellm', text: string): FeedDocument {
  const result = parseFeedDocument(format, text);
  if (!result.ok) throw new Error(result.message);
  return result.document;
}

function snapshotOf(providers: number, models: number, withFeed: boolean): Snapshot {
  const objects: RawObject[] = [];
  const prices = [];
  for (let p = 0; p < providers; p++) {
    const specModels = [];
    for (let m = 0; m < models; m++) {
      const id = `vendor/p${p}-m${m}`;
      specModels.push({
        name: `m${m}`,
        contextWindow: 128000,
        pricing: {
          inputPerMillion: 1,
          outputPerMillion: 4,
          ...(withFeed ? { feedRef: { name: 'feed', id } } : {}),
        },
      });
      prices.push({ id, inputPerMillion: 0.9, outputPerMillion: 3.6, cachedInputPerMillion: 0.45 });
    }
    objects.push({
      metadata: { name: `p${p}`, namespace: 'ai', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { api: 'openai', baseURL: 'http://127.0.0.1:1/v1', models: specModels },
    });
  }
  return {
    providers: objects,
    policies: [],
    secrets: [],
    priceFeeds: withFeed ? [{ namespace: 'ai', name: 'feed', prices }] : [],
  };
}

const rows: string[][] = [['measurement', 'p50', 'baseline p50', 'ratio']];
const row = (name: string, value: number, baseline: number): void => {
  rows.push([
    name,
    `${value.toFixed(2)} ms`,
    `${baseline.toFixed(2)} ms`,
    `${(value / baseline).toFixed(2)}×`,
  ]);
};

const lite = liteLlmText(2500);
const router = openRouterText(400);
const liteBaseline = time(ROUNDS, () => JSON.parse(lite));
row(
  `read LiteLLM-sized feed (${(lite.length / 1048576).toFixed(1)} MiB) vs JSON.parse`,
  time(ROUNDS, () => parsed('litellm', lite)),
  liteBaseline,
);
const routerBaseline = time(ROUNDS, () => JSON.parse(router));
row(
  `read OpenRouter-sized feed (${(router.length / 1048576).toFixed(1)} MiB) vs JSON.parse`,
  time(ROUNDS, () => parsed('openrouter', router)),
  routerBaseline,
);

const document = parsed('litellm', lite);
const tracked: TrackedModel[] = Array.from({ length: 200 }, (_, i) => ({
  id: `vendor/model-${i * 10 + 1}`,
  baselines: [{ inputPerMillion: 1, outputPerMillion: 4 }],
  followContextWindow: false,
}));
const spec = priceFeedSpec.parse({ url: 'https://example.com/feed.json', format: 'litellm' });
const step = (): void => {
  nextFeedStatus({
    namespace: 'ai',
    name: 'feed',
    generation: 1,
    spec,
    approval: undefined,
    previous: undefined,
    outcome: { kind: 'fetched', document, notModified: false },
    tracked,
    now: '2026-12-01T00:00:00Z',
    nextSyncTime: undefined,
  });
};
row(
  'sync step, 200 referenced models vs reading the LiteLLM feed',
  time(ROUNDS, step),
  time(ROUNDS, () => parsed('litellm', lite)),
);

const withFeed = snapshotOf(50, 20, true);
const without = snapshotOf(50, 20, false);
row(
  'compile(), 1,000 models priced by a feed vs static prices',
  time(ROUNDS, () => compile(withFeed)),
  time(ROUNDS, () => compile(without)),
);

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows)
  console.log(
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
