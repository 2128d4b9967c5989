/**
 * A prerequisite of the operator is missing. The message is one line that says what is missing
 * and how to fix it; `switchyard operator` prints it and exits non-zero.
 */
export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
  /** Stable code for callers and logs. */
  readonly code = 'PREREQUISITE_MISSING';
}
