// Feeds the chargeback metrics from every answer a provider was paid for.
import type { AnswerObserver } from '../answer/outcome.ts';
import { FEATURE_HEADER, type Chargeback } from './chargeback.ts';

/** Counts what each answered request spent under its tenant and its x-switchyard-feature. */
export function chargebackObserver(chargeback: Chargeback): AnswerObserver {
  return {
    answered(answer) {
      // Cache hits and refusals cost nothing; an answer discarded by the quality gate still did.
      if (answer.winner === undefined && answer.spentUSD <= 0) return;
      const feature = answer.job.req.headers[FEATURE_HEADER];
      chargeback.record({
        tenant: answer.job.tenant,
        feature: Array.isArray(feature) ? feature[0] : feature,
        costUSD: answer.spentUSD,
        inputTokens: answer.winner === undefined ? 0 : (answer.usage?.inputTokens ?? 0),
        outputTokens: answer.winner === undefined ? 0 : (answer.usage?.outputTokens ?? 0),
      });
    },
  };
}
