// Printing: sections, aligned tables and the final PASS/MISS table of goals.
import { alignedTable, formatRatio } from '../lib/report.ts';

/** A measured value checked against a goal. */
export interface GoalRow {
  name: string;
  value: number;
  goal: number;
  unit: string;
  pass: boolean;
  /** `goal`: from issue 5; `extra`: the same target applied where the issue does not ask. */
  kind: 'goal' | 'extra';
}

/** Formats milliseconds as `123 ms` or `1.23 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export { formatRatio };

/** Formats bytes as MiB. */
export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : '—';
}

/** Collects lines and goals; prints as it goes. */
export class Report {
  readonly goals: GoalRow[] = [];
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.#write = write;
  }

  /** Starts a section. */
  section(title: string): void {
    this.#write(`\n== ${title} ${'='.repeat(Math.max(3, 90 - title.length))}`);
  }

  /** Prints a line. */
  line(text = ''): void {
    this.#write(text);
  }

  /** Prints an aligned table; the first row is the header, the first column left-aligned. */
  table(rows: readonly (readonly string[])[]): void {
    for (const line of alignedTable(rows)) this.#write(line);
  }

  /** Records `value ≤ goal` and prints PASS or MISS. */
  check(name: string, value: number, goal: number, unit: string, kind: GoalRow['kind']): void {
    const pass = Number.isFinite(value) && value <= goal;
    this.goals.push({ name, value, goal, unit, pass, kind });
    this.#write(
      `  ${pass ? 'PASS' : 'MISS'}  ${name}: ${show(value, unit)} (goal ≤ ${show(goal, unit)})`,
    );
  }

  /** Prints every goal in one table. */
  printGoals(): void {
    this.section('Goals (issue 5, Performance)');
    this.table([
      ['goal', 'measured', 'target', 'result'],
      ...this.goals.map((row) => [
        row.kind === 'goal' ? row.name : `${row.name} [extra]`,
        show(row.value, row.unit),
        `≤ ${show(row.goal, row.unit)}`,
        row.pass ? 'PASS' : 'MISS',
      ]),
    ]);
  }
}

function show(value: number, unit: string): string {
  if (unit === 'ms') return formatMs(value);
  if (unit === 'MiB') return `${Number.isFinite(value) ? value.toFixed(1) : '—'} MiB`;
  return `${Number.isFinite(value) ? value.toFixed(2) : '—'} ${unit}`;
}
