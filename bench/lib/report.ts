/** What the benchmark prints: sections, tables, figures, and each goal with PASS or MISS. */

/** One goal checked against a measured value. */
export interface GoalResult {
  section: string;
  name: string;
  /** The measured value, already in `unit`. */
  value: number;
  goal: number;
  unit: string;
  /** `<=`: the value must not exceed the goal; `>=`: it must reach it. */
  comparison: '<=' | '>=';
  pass: boolean;
  /** From an issue (a goal) or a sanity expectation of the benchmark itself (a check). */
  kind: 'goal' | 'check';
}

/** A named figure, for the JSON output. */
export interface Figure {
  section: string;
  name: string;
  value: number | string;
  unit: string;
}

/** Formats milliseconds for people: µs below 1 ms, ms above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (Math.abs(ms) < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/** Formats a number with thousands separators and `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Formats a ratio such as `3.4×`. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)}×` : '—';
}

/** Formats bytes as MB (10^6). */
export function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * The lines of an aligned table, indented by two spaces: the first row is the header (underlined),
 * the first column left-aligned, the others right-aligned.
 */
export function alignedTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.flatMap((row, r) => {
    const cells = row.map((cell, i) =>
      i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
    );
    const line = `  ${cells.join('  ')}`;
    return r === 0 ? [line, `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`] : [line];
  });
}

/** Collects and prints the results of one benchmark run. */
export class Report {
  readonly goals: GoalResult[] = [];
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  #section = '';
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.#write = write;
  }

  /** Starts a section (one measurement); `key` names it in the summary. */
  section(key: string, title: string): void {
    this.#section = key;
    this.#write(`\n== ${title} ${'='.repeat(Math.max(3, 90 - title.length))}`);
  }

  /** Prints a line in the current section. */
  line(text = ''): void {
    this.#write(text);
  }

  /** Prints a note and keeps it for the summary (a skipped comparison, a fallback used). */
  note(text: string): void {
    this.notes.push(`${this.#section}: ${text}`);
    this.#write(`note: ${text}`);
  }

  /** Records a figure for the JSON output (not printed). */
  figure(name: string, value: number | string, unit = ''): void {
    this.figures.push({ section: this.#section, name, value, unit });
  }

  /** Prints an aligned table; the first row is the header. */
  table(rows: readonly (readonly string[])[]): void {
    for (const line of alignedTable(rows)) this.#write(line);
  }

  /** Checks a measured value against a goal from an issue; prints PASS or MISS and keeps it. */
  check(name: string, value: number, comparison: '<=' | '>=', goal: number, unit: string): boolean {
    return this.#judge({ name, value, comparison, goal, unit, kind: 'goal' });
  }

  /** Like `check`, for an expectation of the benchmark itself rather than an issue's goal. */
  expect(
    name: string,
    value: number,
    comparison: '<=' | '>=',
    goal: number,
    unit: string,
  ): boolean {
    return this.#judge({ name, value, comparison, goal, unit, kind: 'check' });
  }

  #judge(result: Omit<GoalResult, 'section' | 'pass'>): boolean {
    const { value, comparison, goal, unit } = result;
    const pass = Number.isFinite(value) && (comparison === '<=' ? value <= goal : value >= goal);
    this.goals.push({ ...result, section: this.#section, pass });
    this.#write(
      `  ${pass ? 'PASS' : 'MISS'}  ${result.name}: ${show(value, unit)} (${result.kind} ${comparison} ${show(goal, unit)})`,
    );
    return pass;
  }

  /** Prints every goal and check of the run, and the notes. */
  printSummary(): void {
    this.section('summary', 'Summary');
    this.table([
      ['result', 'measurement', 'value', 'goal', 'kind'],
      ...this.goals.map((g) => [
        g.pass ? 'PASS' : 'MISS',
        `${g.section}: ${g.name}`,
        show(g.value, g.unit),
        `${g.comparison} ${show(g.goal, g.unit)}`,
        g.kind,
      ]),
    ]);
    for (const note of this.notes) this.#write(`  note: ${note}`);
  }
}

function show(value: number, unit: string): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'x':
      return formatRatio(value);
    case 'req/s':
      return `${formatNumber(value)} req/s`;
    default:
      return `${formatNumber(value, Number.isInteger(value) ? 0 : 2)}${unit === '' ? '' : ` ${unit}`}`;
  }
}
