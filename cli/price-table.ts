import type { CompileResult } from '../core/compile/compile.ts';

/**
 * The prices the proxies will use, one line per served model, and where each comes from: a
 * PriceFeed (with the feed's model id) or the manifest's spec.pricing. The config holds the
 * numbers; the provider statuses hold the source.
 */
export function priceTable(result: CompileResult): string {
  const sources = new Map<string, string>();
  for (const status of result.statuses) {
    for (const model of status.models ?? []) {
      const where =
        model.source === 'PriceFeed'
          ? `PriceFeed ${model.feed ?? ''} (${model.feedModel ?? ''})`
          : `spec (${model.message.replace(/; spec\.pricing is in force$/, '')})`;
      sources.set(`${status.name}/${model.name}`, where);
    }
  }
  const rows = [['MODEL', 'INPUT/M', 'OUTPUT/M', 'CACHED/M', 'CONTEXT', 'SOURCE']];
  for (const provider of result.config.providers) {
    for (const model of provider.models) {
      const key = `${provider.name}/${model.name}`;
      const { pricing } = model;
      rows.push([
        key,
        String(pricing.inputPerMillion),
        String(pricing.outputPerMillion),
        String(pricing.cachedInputPerMillion),
        String(model.contextWindow),
        sources.get(key) ?? 'spec',
      ]);
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => {
          if (column === row.length - 1) return cell;
          return column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!);
        })
        .join('  '),
    )
    .join('\n');
}
