/**
 * A fast estimate of how many tokens OpenAI's cl100k_base tokenizer makes of a text, without a
 * vocabulary.
 *
 * Method: one pass over the UTF-16 code units that follows cl100k's pre-tokenisation (the regular
 * expression that cuts text into pieces before BPE runs on each piece: a letter run with one
 * optional leading space or punctuation character, digit groups of at most three, punctuation
 * runs with the newlines after them, blank runs, newline runs) and charges each piece what BPE
 * makes of such a piece on average:
 * - a letter run is first split where BPE splits identifiers, at case changes (`parseJsonBody` →
 *   parse·Json·Body, `HTTPServer` → HTTP·Server); each part costs {@link WORD_TOKENS} by its
 *   length, its lead (space, punctuation or nothing) and its case: averages measured with cl100k
 *   over English prose and source code;
 * - digits cost one token per group of up to three; blank, newline and short punctuation pieces
 *   one token each; longer punctuation runs half a token per further distinct character;
 * - CJK characters cost {@link CJK_TOKENS_PER_CHAR} each, letters of other scripts
 *   {@link OTHER_LETTER_TOKENS_PER_CHAR}, symbols outside the BMP (emoji) one per UTF-16 unit.
 *
 * On English prose and on source code (TypeScript, JavaScript, Python, Go, Rust, JSON, Markdown)
 * it lands within ±15% of cl100k per document (mean error about 2%); token-estimate.test.ts holds
 * samples with their real cl100k counts. It is for routing and budgeting; bills use the
 * provider's reported usage.
 *
 * Cost: texts up to {@link FULL_SCAN_CHARS} characters are scanned whole; longer ones are
 * estimated from {@link SAMPLE_WINDOWS} evenly spaced windows (cut at blanks) scaled to the full
 * length, so the cost per text is bounded and there is no allocation.
 */
export function estimateTextTokens(text: string): number {
  const length = text.length;
  if (length === 0) return 0;
  if (length <= FULL_SCAN_CHARS) return whole(scanTokens(text, 0, length));
  const window = Math.floor(FULL_SCAN_CHARS / SAMPLE_WINDOWS);
  const stride = (length - window) / (SAMPLE_WINDOWS - 1);
  let tokens = 0;
  let scanned = 0;
  for (let w = 0; w < SAMPLE_WINDOWS; w++) {
    const from = nextBlank(text, Math.floor(w * stride));
    const to = nextBlank(text, Math.min(length, from + window));
    tokens += scanTokens(text, from, to);
    scanned += to - from;
  }
  return scanned === 0 ? whole(scanTokens(text, 0, length)) : whole((tokens * length) / scanned);
}

/** Pieces cost fractions of a token on average; a non-empty text costs at least one. */
function whole(tokens: number): number {
  return Math.max(1, Math.round(tokens));
}

/** Texts up to this many characters are scanned whole. */
export const FULL_SCAN_CHARS = 4096;
/** Windows sampled from longer texts. */
export const SAMPLE_WINDOWS = 8;

/** The index of the first blank or newline at or after `from` (the text's length if none). */
function nextBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10) return i;
    i++;
  }
  return i;
}

/** Token estimate of text[from, to), unrounded. */
// eslint-disable-next-line complexity -- one tight loop over the characters: helper calls per piece measured ~2x slower.
function scanTokens(text: string, from: number, to: number): number {
  const n = to;
  let tokens = 0;
  let i = from;
  // What leads the next letter run: set by a single blank or punctuation character before it.
  let lead = LEAD_NONE;
  while (i < n) {
    const code = text.charCodeAt(i);
    const kind = code < 128 ? (ASCII_KIND[code] as number) : nonAsciiKind(code);
    if (kind === LETTER) {
      i = scanWord(text, i, n, lead);
      tokens += wordTokens;
      lead = LEAD_NONE;
    } else if (kind === SPACE) {
      const start = i;
      i++;
      while (i < n && kindAt(text, i) === SPACE) i++;
      const next = i < n ? kindAt(text, i) : OTHER;
      if (next === NEWLINE) continue; // `\s*[\r\n]+`: blanks before a newline join it.
      // `\s+(?!\S)` leaves the last blank to lead the word or punctuation after it.
      if (next === LETTER) lead = LEAD_SPACE;
      else if (next === PUNCT) lead = LEAD_SPACE_PUNCT;
      else tokens += i - start > 1 && next === DIGIT ? 1 : 0;
      tokens += next === LETTER || next === PUNCT ? (i - start > 1 ? 1 : 0) : 1;
    } else if (kind === PUNCT) {
      const start = i;
      let segments = 0;
      let previous = -1;
      while (i < n) {
        const c = text.charCodeAt(i);
        if ((c < 128 ? ASCII_KIND[c] : nonAsciiKind(c)) !== PUNCT) break;
        if (c !== previous) segments++;
        previous = c;
        i++;
      }
      if (i - start === 1 && lead === LEAD_NONE && i < n && kindAt(text, i) === LETTER) {
        lead = LEAD_PUNCT; // `[^\r\n\p{L}\p{N}]?\p{L}+`: one punctuation character leads a word.
        continue;
      }
      // Runs of one character (`-----`) are one or two tokens whatever their length in cl100k,
      // so a run is charged by its segments of distinct characters.
      tokens += segments <= 2 ? 1 : segments === 3 ? 1.2 : 1 + (segments - 2) * 0.5;
      tokens += Math.floor((i - start) / 32);
      while (i < n && kindAt(text, i) === NEWLINE) i++; // `[\r\n]*` joins the punctuation.
      lead = LEAD_NONE;
    } else if (kind === NEWLINE) {
      // `\s*[\r\n]+` is one piece ending at the last newline; indentation after it is a blank run.
      let last = i;
      i++;
      while (i < n) {
        const k = kindAt(text, i);
        if (k === NEWLINE) last = i;
        else if (k !== SPACE) break;
        i++;
      }
      i = last + 1;
      tokens += 1;
    } else if (kind === DIGIT) {
      const start = i;
      i++;
      while (i < n && kindAt(text, i) === DIGIT) i++;
      tokens += Math.ceil((i - start) / 3);
      lead = LEAD_NONE;
    } else {
      tokens +=
        kind === CJK
          ? CJK_TOKENS_PER_CHAR
          : kind === OTHER_LETTER
            ? OTHER_LETTER_TOKENS_PER_CHAR
            : 1;
      i++;
      lead = LEAD_NONE;
    }
  }
  return tokens;
}

/** Tokens per CJK character (Han, kana, Hangul, full-width forms). */
export const CJK_TOKENS_PER_CHAR = 1.2;
/** Tokens per letter of other scripts (Cyrillic, Greek, Arabic, Hebrew, Devanagari…). */
export const OTHER_LETTER_TOKENS_PER_CHAR = 0.6;
/** Letters per row of {@link WORD_TOKENS}; longer parts extrapolate. */
const WORD_LENGTHS = 14;

/**
 * Average cl100k tokens of one word part by its length (column 0 = one letter; parts longer than
 * the row add {@link LONG_WORD_TOKENS_PER_LETTER} per letter). Rows by what leads the part
 * (a space, nothing, one punctuation character as in `.length` or `"word`) and case (lower or
 * Capitalised, or ALL CAPS). Measured over ~140k words of English prose and source code.
 */
export const WORD_TOKENS: readonly (readonly number[])[] = [
  [1, 1, 1.01, 1.02, 1.03, 1.05, 1.08, 1.1, 1.15, 1.25, 1.25, 1.4, 1.4, 1.45], // space, lower
  [1, 1, 1.14, 1.4, 1.37, 1.5, 1.45, 2.2, 2.2, 2.2, 2.8, 2.6, 2.6, 2.6], // space, CAPS
  [1, 1, 1.05, 1.06, 1.07, 1.09, 1.2, 1.2, 1.45, 1.63, 1.7, 1.7, 1.9, 2.2], // nothing, lower
  [1, 1, 1.25, 1.43, 1.3, 1.7, 1.6, 2.2, 2.2, 2.5, 2.8, 3, 3, 3], // nothing, CAPS
  [1.02, 1.12, 1.15, 1.24, 1.28, 1.32, 1.5, 1.6, 1.9, 1.8, 2.2, 2.5, 2.3, 2.6], // punct, lower
  [1.4, 1.7, 1.55, 1.65, 1.55, 1.6, 1.5, 2.8, 2.9, 2.6, 3.6, 3, 3, 3], // punct, CAPS
];
/** Tokens per letter of a word part beyond the last column of {@link WORD_TOKENS}. */
export const LONG_WORD_TOKENS_PER_LETTER = 0.15;
/** Extra tokens per non-ASCII Latin letter (é, ß, ø…), which cl100k mostly keeps as bytes. */
const NON_ASCII_LETTER_TOKENS = 0.5;

const WORD_TABLE = new Float64Array(WORD_TOKENS.flat());

const LETTER = 0;
const DIGIT = 1;
const SPACE = 2;
const NEWLINE = 3;
const PUNCT = 4;
const CJK = 5;
const OTHER_LETTER = 6;
const OTHER = 7;

/** Row offsets into WORD_TABLE; LEAD_SPACE_PUNCT is a blank that leads punctuation, not a word. */
const LEAD_SPACE = 0;
const LEAD_NONE = 2 * WORD_LENGTHS;
const LEAD_PUNCT = 4 * WORD_LENGTHS;
const LEAD_SPACE_PUNCT = -1;

const ASCII_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) ASCII_KIND[c] = LETTER;
  else if (c >= 48 && c <= 57) ASCII_KIND[c] = DIGIT;
  else if (c === 32 || c === 9) ASCII_KIND[c] = SPACE;
  else if (c === 10 || c === 13) ASCII_KIND[c] = NEWLINE;
  else ASCII_KIND[c] = PUNCT;
}

function kindAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? (ASCII_KIND[code] as number) : nonAsciiKind(code);
}

function nonAsciiKind(code: number): number {
  if (code < 0x250) {
    return code === 0xa0 ? SPACE : code >= 0xc0 && code !== 0xd7 && code !== 0xf7 ? LETTER : PUNCT;
  }
  if (code >= 0x2000 && code <= 0x2bff) return PUNCT;
  if (isCJK(code)) return CJK;
  return code >= 0xd800 && code <= 0xdfff ? OTHER : OTHER_LETTER;
}

/** Han, kana, CJK punctuation and Hangul syllables, and full-width forms. */
function isCJK(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0xff00 && code <= 0xffef)
  );
}

/** Tokens of the word scanned last; a module variable keeps scanWord allocation-free. */
let wordTokens = 0;

/** Scans the letter run at `start`, sets {@link wordTokens}, returns the index after the run. */
function scanWord(text: string, start: number, n: number, lead: number): number {
  let i = start;
  let partStart = start;
  let partLead = lead === LEAD_SPACE_PUNCT ? LEAD_NONE : lead;
  let upperCount = 0;
  let tokens = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (ASCII_KIND[c] !== LETTER) break;
      const partLength = i - partStart;
      if (c <= 90) {
        // lower→Upper starts a part: parse|Json.
        if (upperCount < partLength) {
          tokens += partTokens(partLength, partLead, false);
          partStart = i;
          partLead = LEAD_NONE;
          upperCount = 0;
        }
        upperCount++;
      } else if (upperCount > 1 && upperCount === partLength) {
        // Capitals then lower: the last capital starts the next part (HTTP|Server).
        tokens += partTokens(partLength - 1, partLead, true);
        partStart = i - 1;
        partLead = LEAD_NONE;
        upperCount = 1;
      }
    } else {
      if (nonAsciiKind(c) !== LETTER) break;
      tokens += NON_ASCII_LETTER_TOKENS;
    }
    i++;
  }
  const partLength = i - partStart;
  wordTokens =
    tokens + partTokens(partLength, partLead, partLength > 1 && upperCount === partLength);
  return i;
}

function partTokens(letters: number, lead: number, allCaps: boolean): number {
  const row = lead + (allCaps ? WORD_LENGTHS : 0);
  if (letters <= WORD_LENGTHS) return WORD_TABLE[row + letters - 1] as number;
  const longest = WORD_TABLE[row + WORD_LENGTHS - 1] as number;
  return longest + (letters - WORD_LENGTHS) * LONG_WORD_TOKENS_PER_LETTER;
}
