import type { CommandIo } from './command.ts';
import type { EvalReport } from './eval.ts';

const pct = (x: number | null) => (x === null ? '     —' : `${(100 * x).toFixed(1).padStart(5)} %`);
const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

/** Prints an evaluation for people; `--json` prints the same report for programs. */
export function printEvaluation(r: EvalReport, io: CommandIo): void {
  const s = r.summary;
  const tiers = s.tiers.map((t) => t.tier);
  const top = tiers[tiers.length - 1] ?? '';
  const cheapest = tiers[0] ?? '';
  io.stdout(
    `eval       ${r.route} (RoutePolicy ${r.policy}) on ${r.dataset}: ${s.prompts} prompts`,
  );
  if (r.scorer === null) io.stdout('scorer     none (classification.scorer is not set)');
  else
    io.stdout(
      `scorer     ${r.scorer.model}: ${r.scorer.thresholds.map((t) => `${t.tier} ≥ ${t.minScore.toFixed(4)}`).join(', ')} (${r.scorer.from})`,
    );
  io.stdout('tier              routed   share  labelled  recall  precision');
  for (const t of s.tiers)
    io.stdout(
      `  ${t.tier.padEnd(14)} ${String(t.routed).padStart(7)} ${pct(t.share)} ${String(t.labelled).padStart(9)} ${pct(t.recall)} ${pct(t.precision)}`,
    );
  const sources = Object.entries(s.sources)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  io.stdout(`decided by ${sources}${s.refused > 0 ? `; ${s.refused} refused (no target)` : ''}`);
  io.stdout(
    `adequacy   ${pct(s.adequacy).trim()} sent to a tier at least as good as needed; ${pct(s.overProvisioned).trim()} to a better one than needed`,
  );
  io.stdout(
    `cost       ${usd(s.cost.routedUSD)} routed; always ${top} ${usd(s.cost.alwaysTopUSD)} (saves ${pct(s.cost.savedVsTop).trim()}); always ${cheapest} ${usd(s.cost.alwaysCheapestUSD)}`,
  );
  const q = s.quality;
  if (q !== undefined)
    io.stdout(
      `quality    ${q.routed.toFixed(3)} routed; always ${top} ${q.alwaysTop.toFixed(3)}, always ${cheapest} ${q.alwaysCheapest.toFixed(3)}: ${pct(q.performanceGapRecovered).trim()} of the gap recovered`,
    );
  if (r.apgr !== null)
    io.stdout(
      `APGR       ${r.apgr.toFixed(3)} over the scorer's threshold (random 0.500)${r.beatsRandom === null ? '' : `; beats random at ${r.beatsRandom.points} of ${r.beatsRandom.of} sweep points`}`,
    );
  else if (q === undefined) io.stdout('APGR       needs grades for every prompt');
  if (r.sweep !== null) printSweep(r, top, io);
  if (r.calibration !== null)
    io.stdout(
      `calibrate  minScore ${r.calibration.threshold} for ${top} sends ${pct(r.calibration.topShare).trim()} of these prompts there (asked ${pct(r.calibration.premiumShare).trim()}):\n           scorer: { thresholds: [{ tier: ${top}, minScore: ${r.calibration.threshold} }] }`,
    );
  io.stdout(`speed      ${r.promptsPerSecond} prompts/s`);
}

function printSweep(r: EvalReport, top: string, io: CommandIo): void {
  io.stdout(
    `sweep      threshold  ${top} share  cost share  quality    PGR  ${top} recall  adequacy`,
  );
  for (const p of r.sweep ?? [])
    io.stdout(
      `           ${p.threshold.toFixed(3).padStart(9)}  ${pct(p.topShare).padStart(13)}  ${pct(p.costShare).padStart(10)}  ${p.quality.toFixed(3).padStart(7)}  ${p.pgr === null ? '     —' : p.pgr.toFixed(3).padStart(5)}  ${pct(p.topRecall).padStart(13)}  ${pct(p.adequacy)}${p.beatsRandom === false && p.topShare > 0 && p.topShare < 1 ? '  (not above random)' : ''}`,
    );
}
