// Prints measurement 1: the stages of a change, each with p50, p99 and max, and its ratio to the
// baseline (the API server's own watch event), then the goals.
import type { PropagationSample } from './propagation.ts';
import { formatMs, formatRatio, type GoalRow, type Report } from './report.ts';
import { percentiles } from './stats.ts';

/** Prints the table of `samples` and checks p50 ≤ 1 s and p99 ≤ 2 s for every proxy serving. */
export function reportPropagation(
  report: Report,
  samples: readonly PropagationSample[],
  label: string,
  kind: GoalRow['kind'],
): void {
  const baseline = percentiles(samples.map((s) => s.apiEventMs));
  const stages: [string, number[]][] = [
    ['kubectl apply → API server watch event (baseline)', samples.map((s) => s.apiEventMs)],
    ['kubectl apply → kubectl exits', samples.map((s) => s.kubectlMs)],
    ['kubectl apply → ConfigMap published (watch event)', samples.map((s) => s.publishedMs)],
    ...(samples[0]?.proxiesMs ?? []).map((_, index): [string, number[]] => [
      `kubectl apply → proxy ${String.fromCharCode(97 + index)} serving`,
      samples.map((s) => s.proxiesMs[index]!),
    ]),
    ['kubectl apply → EVERY proxy serving', samples.map((s) => s.allMs)],
    [
      '  of which after the watch event (operator + proxies)',
      samples.map((s) => s.allMs - s.apiEventMs),
    ],
  ];
  report.table([
    ['stage', 'p50', 'p99', 'max', 'p50 / baseline', 'p99 / baseline'],
    ...stages.map(([name, values]) => {
      const p = percentiles(values);
      return [
        name,
        formatMs(p.p50),
        formatMs(p.p99),
        formatMs(p.max),
        formatRatio(p.p50 / baseline.p50),
        formatRatio(p.p99 / baseline.p99),
      ];
    }),
  ]);
  report.line(
    `  (${samples.length} changes; nearest-rank percentiles, so with ≤ 100 changes p99 is the slowest one)`,
  );
  const all = percentiles(samples.map((s) => s.allMs));
  report.check(`${label}: apply → every proxy serving, p50`, all.p50, 1000, 'ms', kind);
  report.check(`${label}: apply → every proxy serving, p99`, all.p99, 2000, 'ms', kind);
}
