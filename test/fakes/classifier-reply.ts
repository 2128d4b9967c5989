// A fake model asked to classify answers like a small classifier model would: with one tier
// name. The proxy's classifier prompt (proxy/execute/classifier-call.ts) lists the tiers,
// cheapest first; the fake picks the most capable one for requests that look hard, the middle one
// for code, and the cheapest otherwise. Crude on purpose: it stands in for a cheap model so the
// demo and the tests see the classifier answer, time out or fail like a real one.

const CLASSIFIER_PROMPT = /Pick the tier a request needs\. Tiers, cheapest first: ([^.]*)\./;
const HARD =
  /\b(prove|proof|derive|rigorous|step[- ]by[- ]step|analy[sz]e|why does|trade-?offs?)\b/i;
const CODE = /\b(code|function|bug|stack trace|sql|regex|typescript|python|compile)\b/i;

/** The tier a classifier model would name, or undefined when the request is not a classification. */
export function classifierReply(systemText: string, userText: string): string | undefined {
  const listed = CLASSIFIER_PROMPT.exec(systemText)?.[1];
  if (listed === undefined) return undefined;
  const tiers = listed.split(',').map((t) => t.trim().split(' ')[0] ?? '');
  if (tiers.length === 0) return undefined;
  if (HARD.test(userText) || userText.length > 4000) return tiers.at(-1);
  if (CODE.test(userText) && tiers.length > 2) return tiers[Math.floor(tiers.length / 2)];
  return tiers[0];
}
