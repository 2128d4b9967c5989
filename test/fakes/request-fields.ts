// Small readers for untrusted request JSON: the fakes accept what the real APIs accept and
// must not crash on what they reject.

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object. */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a string, else undefined. */
export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` when it is a finite number, else undefined. */
export function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` when it is an array, else an empty array. */
export function arrayField(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` when it is an object, else an empty object. */
export function recordField(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

/**
 * Masks an API key the way providers quote it in errors (first and last characters only); short
 * test keys are masked entirely so they never appear in a log.
 */
export function maskKey(key: string): string {
  if (key.length < 12) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}
