// Command-line options of `node bench/operator/run.ts`.
import { parseArgs } from 'node:util';
import type { ChurnPlan } from './churn.ts';

/** Usage text. */
export const USAGE = `usage: node bench/operator/run.ts [--quick] [--churn-edits N]

  --quick           fewer changes and edits (about a minute and a half); the default takes ~3 min
  --churn-edits N   edits in the memory-under-churn measurement (default 400, 120 with --quick);
                    one every 150 ms, so 2000 makes a five-minute soak`;

/** How much of everything one run does. */
export interface Plan {
  quick: boolean;
  /** Changes timed from kubectl apply to every proxy, over the examples. */
  changes: number;
  /** Single edits timed among the 1,000 objects. */
  scaleEdits: number;
  /** Changes timed from kubectl apply to every proxy, with the 1,000 objects present. */
  changesAtScale: number;
  churn: ChurnPlan;
}

const FULL: Omit<Plan, 'quick'> = {
  changes: 50,
  scaleEdits: 5,
  changesAtScale: 20,
  churn: { edits: 400, intervalMs: 150, checkpoints: 8 },
};

const QUICK: Omit<Plan, 'quick'> = {
  changes: 15,
  scaleEdits: 3,
  changesAtScale: 8,
  churn: { edits: 120, intervalMs: 150, checkpoints: 4 },
};

/** Parses argv; 'help' for --help; throws on a bad argument. */
export function parsePlan(argv: readonly string[]): Plan | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      'churn-edits': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const base = values.quick ? QUICK : FULL;
  const raw = values['churn-edits'];
  const edits = raw === undefined ? base.churn.edits : Number(raw);
  if (!Number.isInteger(edits) || edits < 10) {
    throw new Error(`--churn-edits must be an integer ≥ 10, got ${raw}`);
  }
  // About one retained-heap checkpoint per 50 edits, between the plan's count and 20.
  const checkpoints = Math.min(20, Math.max(base.churn.checkpoints, Math.round(edits / 50)));
  return { quick: values.quick, ...base, churn: { ...base.churn, edits, checkpoints } };
}
