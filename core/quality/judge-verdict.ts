/** What a judge said about one answer. */
export interface JudgeVerdict {
  /** 1 to 10, 10 best. */
  score: number;
  /** A short reason, at most 280 characters. */
  reason: string;
}

/** Characters of the judge's reason kept in logs and exported samples. */
export const MAX_REASON_CHARS = 280;

/**
 * Reads a judge's answer: the first JSON object in it with a numeric `score` from 1 to 10 (a
 * code fence or a sentence around it is tolerated) and a string `reason`. Anything else is
 * unusable — counted by the caller, never turned into a guessed score.
 */
export function parseJudgeAnswer(text: string): JudgeVerdict | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { score, reason } = value as { score?: unknown; reason?: unknown };
  const number = typeof score === 'string' && score.trim() !== '' ? Number(score) : score;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 1 || number > 10) {
    return undefined;
  }
  return {
    score: number,
    reason: typeof reason === 'string' ? reason.trim().slice(0, MAX_REASON_CHARS) : '',
  };
}
