import type { ConditionType } from '../api/common.ts';
import type { Reason } from './status.ts';

/** What a failed check found: the condition's reason and a message that says what to fix. */
export interface Finding {
  reason: Reason;
  message: string;
}

/** The failed condition types of one object; a type without a finding is True. */
export type Findings = Partial<Record<ConditionType, Finding>>;

/**
 * One small named check, cert-manager style: it looks at one object (and what compile() already
 * knows about the others) and returns a Finding when the object fails it.
 */
export interface Check<S> {
  /** What the check asserts, as a sentence fragment (shows up in tests and debugging). */
  name: string;
  /** The condition a failure of this check sets to False. */
  condition: ConditionType;
  /** Returns undefined when the object passes; `findings` holds earlier checks' failures. */
  run: (subject: S, findings: Readonly<Findings>) => Finding | undefined;
}

/**
 * Runs checks in order. The first failure of a condition type decides that condition, so later
 * checks of the same type are skipped: order the list from the most to the least fundamental.
 */
export function runChecks<S>(subject: S, checks: readonly Check<S>[]): Findings {
  const findings: Findings = {};
  for (const check of checks) {
    if (findings[check.condition] !== undefined) continue;
    const finding = check.run(subject, findings);
    if (finding !== undefined) findings[check.condition] = finding;
  }
  return findings;
}

/** The Programmed check both kinds share: an object that is not Accepted is not served. */
export function acceptedBeforeProgrammed<S>(): Check<S> {
  return {
    name: 'object is accepted',
    condition: 'Programmed',
    run: (_subject, findings) =>
      findings.Accepted === undefined ? undefined : notAccepted(findings.Accepted),
  };
}

/** The Programmed=False finding of an object that was not accepted for `cause`. */
export function notAccepted(cause: Finding): Finding {
  return {
    reason: 'NotAccepted',
    message: `not served because it is not accepted (${cause.reason}); fix the Accepted condition first`,
  };
}
