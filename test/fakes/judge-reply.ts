// A fake model asked to judge answers like a premium judge model would: one JSON object with a
// score and a reason. It recognises the proxy's judge prompt (core/quality/judge-prompt.ts) by its
// opening line and grades the answer between <answer> tags: an answer carrying the degradation
// marker (a fake provider scripted with `degraded: true` appends it) scores 2, any other 9. So a
// test can make a provider "start to degrade" and watch the quality loop react.

/** What a degraded fake appends to its answers; the fake judge scores answers holding it low. */
export const FAKE_DEGRADED_MARKER = '[[fake:degraded]]';

/** The score the fake judge gives a degraded answer, and any other. */
export const FAKE_JUDGE_SCORES = { degraded: 2, good: 9 } as const;

const JUDGE_OPENING = 'You grade the answer an AI assistant gave to a conversation.';

/** The judge's reply, or undefined when the request is not a judge prompt. */
export function judgeReply(systemText: string, userText: string): string | undefined {
  if (!systemText.startsWith(JUDGE_OPENING)) return undefined;
  const answer = /<answer>\n([\s\S]*)\n<\/answer>/.exec(userText)?.[1] ?? '';
  const degraded = answer.includes(FAKE_DEGRADED_MARKER);
  return JSON.stringify({
    score: degraded ? FAKE_JUDGE_SCORES.degraded : FAKE_JUDGE_SCORES.good,
    reason: degraded ? 'The answer is degraded.' : 'The answer is correct and clear.',
  });
}
