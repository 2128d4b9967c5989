import type { AttemptRecord } from '../execute/attempt.ts';

/** The routing receipt every response carries: which rule, tier, target and cost. */
export interface Receipt {
  route: string;
  /** How the tier was chosen (rule, client, classifier, default; direct for a concrete model). */
  classifiedBy: string | undefined;
  rule: string | undefined;
  tier: string;
  provider: string;
  model: string;
  attempts: readonly AttemptRecord[];
  costUSD: number | undefined;
  overheadMs: number;
  cache: 'hit' | 'miss' | 'off';
  /** The request's id (../http/request-id.ts), sent back as `x-request-id`. */
  requestId: string;
}

/** The receipt as `x-switchyard-*` response headers. */
export function receiptHeaders(receipt: Receipt): Record<string, string> {
  const headers: Record<string, string> = {
    'x-switchyard-route': receipt.route,
    'x-switchyard-tier': receipt.tier,
    'x-switchyard-provider': receipt.provider,
    'x-switchyard-model': receipt.model,
    'x-switchyard-attempts': String(
      receipt.attempts.filter((a) => a.outcome !== 'circuit_open').length,
    ),
    'x-switchyard-overhead-ms': receipt.overheadMs.toFixed(3),
    'x-switchyard-cache': receipt.cache,
    'x-request-id': receipt.requestId,
  };
  if (receipt.classifiedBy !== undefined)
    headers['x-switchyard-classified-by'] = receipt.classifiedBy;
  if (receipt.rule !== undefined) headers['x-switchyard-rule'] = receipt.rule;
  if (receipt.costUSD !== undefined) headers['x-switchyard-cost-usd'] = receipt.costUSD.toFixed(8);
  return headers;
}
