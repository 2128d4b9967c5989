/** Characters of a client-supplied value an error message repeats at most. */
export const MAX_ECHOED_CHARS = 128;

/**
 * A client's value as an error message may repeat it: cut to `MAX_ECHOED_CHARS` with a note of
 * its real length, so a 6 KB model name does not come back whole (nor fill a log line).
 */
export function echoed(value: string): string {
  if (value.length <= MAX_ECHOED_CHARS) return value;
  return `${value.slice(0, MAX_ECHOED_CHARS)}… (${value.length} characters)`;
}
