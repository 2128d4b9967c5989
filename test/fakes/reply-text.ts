import { fnv1a, seededRandom } from './hash.ts';

// A small vocabulary: replies read like prose in logs and demos, and their length varies with the
// prompt so usage and cost differ between requests.
const VOCABULARY = [
  'the',
  'router',
  'picks',
  'a',
  'model',
  'that',
  'is',
  'cheap',
  'and',
  'adequate',
  'for',
  'this',
  'request',
  'so',
  'answer',
  'stays',
  'short',
  'clear',
  'useful',
  'we',
  'can',
  'also',
  'check',
  'latency',
  'cost',
  'tokens',
  'every',
  'provider',
  'keeps',
  'its',
  'own',
  'format',
  'while',
  'client',
  'sees',
  'one',
  'stream',
  'of',
  'text',
  'in',
  'order',
  'with',
  'usage',
  'at',
  'end',
  'here',
  'result',
  'looks',
  'fine',
  'overall',
  'note',
  'detail',
  'matters',
  'when',
  'budget',
  'runs',
  'low',
  'then',
  'fallback',
  'tier',
  'takes',
  'over',
  'quickly',
  'again',
];

const SNIPPET_CHARS = 48;

/**
 * The default reply to a prompt: deterministic (the same prompt gives the same reply, which the
 * cache tests rely on), quoting the start of the prompt so logs show what was answered, and 12 to
 * 40 words long.
 */
export function synthesizeReply(prompt: string): string {
  const normalised = prompt.replace(/\s+/g, ' ').trim();
  if (normalised.length === 0) return 'Hello! How can I help you today?';
  const next = seededRandom(fnv1a(normalised));
  const count = 12 + (next() % 29);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(VOCABULARY[next() % VOCABULARY.length] ?? 'ok');
  const snippet =
    normalised.length > SNIPPET_CHARS ? `${normalised.slice(0, SNIPPET_CHARS)}…` : normalised;
  const first = words[0] ?? 'ok';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return `You asked: "${snippet}". ${words.join(' ')}.`;
}
