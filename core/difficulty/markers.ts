import { pairHash, wordHash } from './hashing.ts';

/**
 * Classes of marker words the scorer counts. Each is one dense feature; the trained weight says
 * how much it moves the score. Classes marked monotone in `MONOTONE` have their weight kept at
 * ≥ 0 (harder) or ≤ 0 (easier) by the training script, so "prove rigorously" can never make a
 * request look easier.
 */
export const MARKER_CLASSES = [
  'reasoning',
  'math',
  'code',
  'constraints',
  'analysis',
  'lookup',
  'creative',
  'transform',
  'smalltalk',
] as const;
/** A marker class. */
export type MarkerClass = (typeof MARKER_CLASSES)[number];

/** The sign each monotone class's weight is held to during training. */
export const MONOTONE: Partial<Record<MarkerClass, 1 | -1>> = {
  reasoning: 1,
  math: 1,
  code: 1,
  constraints: 1,
  analysis: 1,
  smalltalk: -1,
};

/**
 * Prior weights of the marker classes: what routers in the field take as given (reasoning,
 * proofs, math and code are where budget models fall behind; small talk and transformations are
 * where they do not). Training pulls each weight toward its prior instead of toward zero, so a
 * class the training data barely contains (there are few proofs in it) keeps its prior, and one
 * the data speaks to moves where the data says. docs/adr/0015 explains the choice.
 */
export const PRIOR_WEIGHTS: Record<MarkerClass, number> = {
  reasoning: 1.5,
  math: 0.8,
  code: 0.8,
  constraints: 0.3,
  analysis: 0.5,
  lookup: -0.3,
  creative: 0,
  transform: -0.5,
  smalltalk: -1,
};

/** Words and two-word phrases of each class, lower case. */
export const MARKER_WORDS: Record<MarkerClass, readonly string[]> = {
  reasoning: [
    'prove',
    'proof',
    'proofs',
    'rigorous',
    'rigorously',
    'derive',
    'derivation',
    'justify',
    'theorem',
    'lemma',
    'deduce',
    'infer',
    'reasoning',
    'logic',
    'logical',
    'logically',
    'paradox',
    'riddle',
    'puzzle',
    'step by',
    'explain why',
    'why does',
    'why is',
    'show that',
    'think through',
    'counterexample',
  ],
  math: [
    'solve',
    'equation',
    'equations',
    'integral',
    'derivative',
    'probability',
    'calculate',
    'compute',
    'matrix',
    'vector',
    'polynomial',
    'prime',
    'geometry',
    'algebra',
    'calculus',
    'statistics',
    'theorem',
    'triangle',
    'divisible',
    'sum of',
    'how many',
    'how much',
    'percent',
    'ratio',
  ],
  code: [
    'code',
    'function',
    'python',
    'javascript',
    'typescript',
    'java',
    'rust',
    'golang',
    'sql',
    'regex',
    'algorithm',
    'implement',
    'implementation',
    'debug',
    'bug',
    'compile',
    'compiler',
    'class',
    'api',
    'script',
    'program',
    'recursion',
    'complexity',
    'html',
    'css',
    'bash',
    'docker',
    'kubernetes',
    'async',
    'thread',
  ],
  constraints: [
    'must',
    'exactly',
    'strictly',
    'ensure',
    'without',
    'only',
    'each',
    'every',
    'at least',
    'at most',
    'no more',
    'no less',
    'do not',
    "don't",
    'format',
    'constraint',
    'constraints',
    'requirements',
  ],
  analysis: [
    'analyze',
    'analyse',
    'analysis',
    'compare',
    'contrast',
    'evaluate',
    'critique',
    'design',
    'architecture',
    'optimize',
    'optimise',
    'tradeoff',
    'tradeoffs',
    'trade offs',
    'pros and',
    'implications',
    'strategy',
    'assess',
    'in depth',
    'detailed',
  ],
  lookup: [
    'what is',
    'who is',
    'who was',
    'when was',
    'where is',
    'capital',
    'define',
    'definition',
    'meaning',
    'synonym',
    'synonyms',
    'antonym',
    'name',
    'list',
  ],
  creative: [
    'poem',
    'story',
    'essay',
    'song',
    'lyrics',
    'haiku',
    'limerick',
    'slogan',
    'tweet',
    'joke',
    'fiction',
    'character',
  ],
  transform: [
    'translate',
    'translation',
    'summarize',
    'summarise',
    'summary',
    'rewrite',
    'paraphrase',
    'rephrase',
    'correct',
    'grammar',
    'extract',
    'classify',
    'convert',
  ],
  smalltalk: ['hi', 'hello', 'hey', 'thanks', 'thank', 'good morning', 'how are'],
};

/** Hash → class, for the scanner; a word in two classes keeps the first. */
export function markerTable(): Map<number, MarkerClass> {
  const table = new Map<number, MarkerClass>();
  for (const c of MARKER_CLASSES) {
    for (const phrase of MARKER_WORDS[c]) {
      const words = phrase.split(' ');
      const hash =
        words.length === 1
          ? wordHash(phrase)
          : pairHash(wordHash(words[0] as string), wordHash(words[1] as string));
      if (!table.has(hash)) table.set(hash, c);
    }
  }
  return table;
}
