/** Where something sits in a manifest file; `line` and `column` are 1-based, line 0 means the whole file. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

/** A problem found in manifests, tied to the file and line a user can open. */
export interface ManifestProblem {
  /** `error` makes `switchyard validate` fail; `note` is informational (a skipped document). */
  severity: 'error' | 'note';
  location: SourceLocation;
  /** The object it concerns, e.g. `ModelProvider ai/openai`, when known. */
  object?: string;
  message: string;
  /** How to fix it, when the message alone does not say. */
  hint?: string;
}

/** `file:line[:column]`, or just `file` for problems with the whole file. */
export function formatLocation(location: SourceLocation): string {
  if (location.line <= 0) return location.file;
  const column = location.column === undefined ? '' : `:${location.column}`;
  return `${location.file}:${location.line}${column}`;
}

/** One line: `file:line: [note: ][Kind ns/name: ]message[ (hint: …)]`. */
export function formatProblem(problem: ManifestProblem): string {
  const note = problem.severity === 'note' ? 'note: ' : '';
  const object = problem.object === undefined ? '' : `${problem.object}: `;
  const hint = problem.hint === undefined ? '' : ` (hint: ${problem.hint})`;
  return `${formatLocation(problem.location)}: ${note}${object}${problem.message}${hint}`;
}

/** Orders problems by file, then line; problems of one line keep their order. */
export function compareProblems(a: ManifestProblem, b: ManifestProblem): number {
  if (a.location.file !== b.location.file) return a.location.file < b.location.file ? -1 : 1;
  return a.location.line - b.location.line;
}
