import type { Snapshot } from '../../core/compile/snapshot.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';

/**
 * A cheap fingerprint of everything compile() reads: each object's identity, generation and
 * creation time (the API server bumps metadata.generation on every spec change, never on status
 * or metadata edits), each Secret's key names and each PriceFeed's prices in force. Equal fingerprints mean compile() would return
 * the same result, so the reconcile that follows our own status writes skips compiling again.
 */
export function inputFingerprint(snapshot: Snapshot): string {
  const lines: string[] = [];
  for (const [kind, objects] of [
    ['p', snapshot.providers],
    ['r', snapshot.policies],
  ] as const) {
    for (const { metadata } of objects) {
      lines.push(
        `${kind} ${metadata.namespace ?? ''}/${metadata.name} ${metadata.uid ?? ''} ` +
          `${metadata.generation ?? ''} ${metadata.creationTimestamp ?? ''}`,
      );
    }
  }
  for (const secret of snapshot.secrets) {
    lines.push(`s ${secret.namespace}/${secret.name} ${[...secret.keys].sort().join(',')}`);
  }
  // A feed's prices live in its status, which has no generation: they count by content.
  for (const feed of snapshot.priceFeeds ?? []) {
    lines.push(`f ${feed.namespace}/${feed.name} ${canonicalJson(feed.prices)}`);
  }
  return lines.sort().join('\n');
}
