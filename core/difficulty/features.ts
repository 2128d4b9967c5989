import type { DifficultyInput } from './difficulty-input.ts';
import { FNV_OFFSET, FNV_PRIME, START, lower, pairHash } from './hashing.ts';
import { MARKER_CLASSES, markerTable, type MarkerClass } from './markers.ts';

/**
 * The named, dense features of a request, in the order the model's `denseWeights` follow.
 * Changing this list (names or order) is a new feature schema: the model file names the list it
 * was trained with and is refused when it differs (`loadDifficultyModel`).
 */
export const DENSE_FEATURES = [
  'chars', // log length of the last user message
  'promptTokens', // log estimated prompt tokens, whole conversation
  'words', // log words scanned
  'meanWordLength',
  'multiTurn',
  'messages', // log message count
  'tools',
  'images',
  'jsonFormat',
  'questions',
  'lines',
  'listItems',
  'codeFence',
  'codePunctuation',
  'digits',
  'mathSymbols',
  'latex',
  'longInput',
  ...MARKER_CLASSES.map((c) => `marker:${c}` as const),
] as const;
/** One dense feature's name. */
export type DenseFeature = (typeof DENSE_FEATURES)[number];

/** Characters of the last user message read from its start; the rest only counts for length. */
export const HEAD_CHARS = 4000;
/** Characters read from its end when longer (instructions often follow a pasted text). */
export const TAIL_CHARS = 2000;

/** A sparse feature vector: dense features first, then hashed n-gram buckets. */
export interface FeatureVector {
  indices: number[];
  values: number[];
}

const MARKERS = markerTable();

// Symbol classes; the first SYMBOL_CLASSES are counted.
const QUESTION = 0;
const NEWLINE = 1;
const CODE = 2;
const MATH = 3;
const LATEX = 4;
const SYMBOL_CLASSES = 5;
const BACKTICK = 5;
const BULLET = 6;
const BLANK = 7;
const OTHER = 8;

/** ASCII code → symbol class, built once. */
const SYMBOLS: Uint8Array = (() => {
  const table = new Uint8Array(128).fill(OTHER);
  const set = (chars: string, kind: number) => {
    for (const c of chars) table[c.charCodeAt(0)] = kind;
  };
  set('?', QUESTION);
  set('\n', NEWLINE);
  set('{}[];<>', CODE);
  set('+*/^=', MATH);
  set('\\$', LATEX);
  set('`', BACKTICK);
  set('-', BULLET); // a bullet at the start of a line, else a minus or a hyphen
  set(' \t\r', BLANK);
  return table;
})();

/**
 * Extracts the features of a request. Cost is bounded whatever the input: at most
 * {@link HEAD_CHARS} + {@link TAIL_CHARS} characters are read, once, and lengths come from
 * `.length` and the prompt-token estimate. Deterministic: no clock, no randomness.
 *
 * `buckets` is the model's hash space for word unigrams and bigrams (a power of two).
 */
export function extractFeatures(input: DifficultyInput, buckets: number): FeatureVector {
  const text = input.lastUserText;
  const scan = new Scan(buckets);
  if (text.length <= HEAD_CHARS + TAIL_CHARS) scan.read(text, 0, text.length);
  else {
    scan.read(text, 0, HEAD_CHARS);
    scan.breakWord();
    scan.read(text, text.length - TAIL_CHARS, text.length);
  }
  scan.breakWord();
  const dense = denseValues(input, scan);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < dense.length; i++) {
    const v = dense[i] as number;
    if (v !== 0) {
      indices.push(i);
      values.push(v);
    }
  }
  // Each n-gram counts once (presence), scaled so a long prompt does not outweigh the rest.
  const scale = scan.grams.size === 0 ? 0 : 1 / Math.sqrt(scan.grams.size);
  // Set order is insertion order: the same text always gives the same vector, bit for bit.
  for (const bucket of scan.grams) {
    indices.push(DENSE_FEATURES.length + bucket);
    values.push(scale);
  }
  return { indices, values };
}

/** The dense features, in {@link DENSE_FEATURES} order, each scaled to about 0…1. */
function denseValues(input: DifficultyInput, scan: Scan): number[] {
  const length = input.lastUserText.length;
  const scanned = Math.max(1, scan.chars);
  const density = (count: number, factor: number) => Math.min(1, (count / scanned) * factor);
  const json = input.responseFormat === 'json_object' || input.responseFormat === 'json_schema';
  return [
    Math.log1p(length) / 8,
    Math.log1p(input.promptTokens) / 10,
    Math.log1p(scan.words) / 7,
    scan.words === 0 ? 0 : Math.min(1, scan.wordChars / scan.words / 10),
    input.userTurns > 1 ? 1 : 0,
    Math.log1p(input.messageCount) / 3,
    input.hasTools ? 1 : 0,
    input.hasImages ? 1 : 0,
    json ? 1 : 0,
    Math.min(scan.counts[QUESTION] as number, 5) / 5,
    Math.log1p(scan.counts[NEWLINE] as number) / 5,
    Math.min(scan.listItems, 10) / 10,
    scan.fences > 0 ? 1 : 0,
    density(scan.counts[CODE] as number, 10),
    density(scan.digits, 5),
    density(scan.counts[MATH] as number, 10),
    (scan.counts[LATEX] as number) > 0 ? 1 : 0,
    length > HEAD_CHARS / 2 ? 1 : 0,
    ...scan.markers.map((count) => Math.min(count, 3) / 3),
  ];
}

function isWordChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 39 || // apostrophe: don't, what's
    code > 127
  );
}

/** One pass over the text: character classes, words, markers and n-gram buckets. */
class Scan {
  chars = 0;
  words = 0;
  wordChars = 0;
  listItems = 0;
  fences = 0;
  digits = 0;
  /** Counts of the symbol classes (QUESTION, NEWLINE, CODE, MATH, LATEX). */
  readonly counts = new Array<number>(SYMBOL_CLASSES).fill(0);
  readonly markers = new Array<number>(MARKER_CLASSES.length).fill(0);
  readonly grams = new Set<number>();
  private hash = FNV_OFFSET;
  private length = 0;
  private previous = START;
  private lineStart = true;
  private backticks = 0;
  private readonly mask: number;

  constructor(buckets: number) {
    this.mask = buckets - 1;
  }

  read(text: string, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const code = text.charCodeAt(i);
      this.chars++;
      if (isWordChar(code)) {
        if (this.lineStart && code >= 48 && code <= 57) this.listItems++;
        this.lineStart = false;
        this.hash = Math.imul(this.hash ^ lower(code), FNV_PRIME);
        this.length++;
        if (code >= 48 && code <= 57) this.digits++;
        this.backticks = 0;
        continue;
      }
      this.endWord();
      this.symbol(code);
    }
  }

  /** Ends the current word and forgets the previous one (a gap in the text). */
  breakWord(): void {
    this.endWord();
    this.previous = START;
  }

  private symbol(code: number): void {
    const kind = code < 128 ? (SYMBOLS[code] as number) : code === 8226 ? BULLET : OTHER;
    if (kind === BACKTICK) {
      if (++this.backticks === 3) this.fences++;
      return;
    }
    this.backticks = 0;
    if (kind === BULLET && this.lineStart) this.listItems++;
    else if (kind < SYMBOL_CLASSES) this.counts[kind]!++;
    if (kind === NEWLINE) this.lineStart = true;
    else if (kind !== BLANK) this.lineStart = false;
  }

  private endWord(): void {
    if (this.length === 0) return;
    const word = this.hash >>> 0;
    this.words++;
    this.wordChars += this.length;
    const pair = pairHash(this.previous, word);
    this.grams.add(word & this.mask);
    this.grams.add(pair & this.mask);
    this.mark(MARKERS.get(word));
    if (this.previous !== START) this.mark(MARKERS.get(pair));
    this.previous = word;
    this.hash = FNV_OFFSET;
    this.length = 0;
  }

  private mark(marker: MarkerClass | undefined): void {
    if (marker === undefined) return;
    const c = MARKER_CLASSES.indexOf(marker);
    this.markers[c] = (this.markers[c] ?? 0) + 1;
  }
}
