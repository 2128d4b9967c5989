// Fake LLM providers for tests, benchmarks and the local demo. See README.md.
export { startFakeProvider } from './server.ts';
export type { FakeProvider, FakeProviderOptions, RecordedRequest } from './server.ts';
export type { FakeApi } from './fake-api.ts';
export { FAKE_APIS, isFakeApi } from './fake-api.ts';
export type { FakeFinishReason, ScriptStep, ScriptToolCall, ScriptUsage } from './script-step.ts';
export { parseScriptSteps, scriptStepSchema } from './script-step.ts';
export { FAKE_PRESETS, isFakePresetName, presetStep } from './presets.ts';
export type { FakePreset, FakePresetName } from './presets.ts';
export { apiKeyOf } from './api-key.ts';
export { estimateTokens } from './token-estimate.ts';
export { synthesizeReply } from './reply-text.ts';
export { DEFAULT_EMBEDDING_DIMENSIONS, embedText } from './embedding.ts';
export { FAKE_DEGRADED_MARKER, FAKE_JUDGE_SCORES, judgeReply } from './judge-reply.ts';
