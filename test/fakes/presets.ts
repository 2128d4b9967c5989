import { TOKENS_PER_WORD, WORDS_PER_CHUNK } from './chunking.ts';
import type { FakeApi } from './fake-api.ts';
import type { ScriptStep } from './script-step.ts';

/** Typical timing of a provider, for demos and benchmarks that want realistic latency. */
export interface FakePreset {
  /** Wire format the provider speaks. */
  api: FakeApi;
  /** Time to response headers (network, queueing). */
  latencyMs: number;
  /** Time from headers to the first content token. */
  ttftMs: number;
  /** Generation speed, which sets the delay between stream chunks. */
  tokensPerSecond: number;
  description: string;
}

/**
 * Realistic timing per well-known provider (typical 2025 medians for their everyday models, not
 * measurements): the local demo and the benchmarks start fakes with these so failover and
 * "fastest" routing have something to choose between.
 */
export const FAKE_PRESETS = {
  openai: {
    api: 'openai',
    latencyMs: 40,
    ttftMs: 350,
    tokensPerSecond: 90,
    description: 'OpenAI gpt-4o-mini class',
  },
  anthropic: {
    api: 'anthropic',
    latencyMs: 60,
    ttftMs: 650,
    tokensPerSecond: 65,
    description: 'Anthropic Claude Sonnet class',
  },
  gemini: {
    api: 'gemini',
    latencyMs: 40,
    ttftMs: 450,
    tokensPerSecond: 160,
    description: 'Google Gemini Flash class',
  },
  deepseek: {
    api: 'openai',
    latencyMs: 120,
    ttftMs: 1100,
    tokensPerSecond: 30,
    description: 'DeepSeek chat (OpenAI-compatible), cheap and slow',
  },
  qwen: {
    api: 'openai',
    latencyMs: 90,
    ttftMs: 500,
    tokensPerSecond: 70,
    description: 'Qwen on DashScope (OpenAI-compatible)',
  },
  mistral: {
    api: 'openai',
    latencyMs: 50,
    ttftMs: 300,
    tokensPerSecond: 110,
    description: 'Mistral La Plateforme (OpenAI-compatible)',
  },
  groq: {
    api: 'openai',
    latencyMs: 30,
    ttftMs: 120,
    tokensPerSecond: 450,
    description: 'Groq LPU inference (OpenAI-compatible), very fast',
  },
  local: {
    api: 'openai',
    latencyMs: 2,
    ttftMs: 60,
    tokensPerSecond: 45,
    description: 'In-cluster vLLM / llama.cpp (OpenAI-compatible)',
  },
} as const satisfies Record<string, FakePreset>;

/** The name of a preset in FAKE_PRESETS. */
export type FakePresetName = keyof typeof FAKE_PRESETS;

/** Narrows a string to a preset name. */
export function isFakePresetName(value: string): value is FakePresetName {
  return Object.hasOwn(FAKE_PRESETS, value);
}

/** The default step a preset stands for: its latency, TTFT and a chunk delay from its speed. */
export function presetStep(name: FakePresetName): ScriptStep {
  const preset: FakePreset = FAKE_PRESETS[name];
  const tokensPerChunk = WORDS_PER_CHUNK[preset.api] * TOKENS_PER_WORD;
  return {
    latencyMs: preset.latencyMs,
    ttftMs: preset.ttftMs,
    chunkDelayMs: Math.round((1000 * tokensPerChunk) / preset.tokensPerSecond),
  };
}
