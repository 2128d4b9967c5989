/** A value a feed gave that is not a usable number (a negative price, "abc", 1.5 tokens). */
export const INVALID = 'invalid';
/** The marker of an unusable value. */
export type Invalid = typeof INVALID;

const DECIMAL = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A per-token price (as OpenRouter's strings "0.0000025" or LiteLLM's numbers 2.5e-6 give it) in
 * USD per million tokens. The decimal point is moved in the digits, not by multiplying floats, so
 * "0.0000025" becomes exactly 2.5 rather than 2.4999999999999996; the same feed text always gives
 * the same number, which keeps compile() output and change detection stable. Undefined and null
 * are missing; anything that is not a non-negative decimal is INVALID.
 */
export function perMillion(raw: unknown): number | Invalid | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text =
    typeof raw === 'number' ? decimalText(raw) : typeof raw === 'string' ? raw.trim() : '';
  const match = DECIMAL.exec(text);
  if (match === null) return INVALID;
  const [, whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return INVALID;
  const value = Number(`${whole}${fraction}e${Number(exponent) - fraction.length + 6}`);
  return Number.isFinite(value) ? value : INVALID;
}

/** A token count from a feed: a non-negative integer (as a number or a string of digits). */
export function tokenCount(raw: unknown): number | Invalid | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : INVALID;
}

function decimalText(value: number): string {
  return Number.isFinite(value) && value >= 0 ? String(value) : 'x';
}
