/**
 * The JSON merge patch that turns `stored` into `desired`: every field of `desired`, and null for
 * every field `stored` has and `desired` lacks (a merge patch keeps what it does not mention, so a
 * figure that is no longer known must be deleted explicitly). Arrays are replaced whole.
 */
export function mergePatchOf(
  stored: unknown,
  desired: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const before = isPlainObject(stored) ? stored : {};
  for (const key of Object.keys(before)) if (!(key in desired)) patch[key] = null;
  for (const [key, value] of Object.entries(desired)) {
    const old = before[key];
    patch[key] = isPlainObject(value) && isPlainObject(old) ? mergePatchOf(old, value) : value;
  }
  return patch;
}

/** True for `{…}` values (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
