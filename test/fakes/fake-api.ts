/** The wire protocol a fake provider speaks; the same values as ModelProvider `spec.api`. */
export type FakeApi = 'openai' | 'anthropic' | 'gemini';

/** Every wire protocol the fakes implement, for CLI validation and table tests. */
export const FAKE_APIS: readonly FakeApi[] = ['openai', 'anthropic', 'gemini'];

/** Narrows a string to a FakeApi. */
export function isFakeApi(value: string): value is FakeApi {
  return (FAKE_APIS as readonly string[]).includes(value);
}
