// The one regular-expression engine for everything that matches text a client sent: manifest rule
// and sensitivity patterns, and the `pattern` keywords of client JSON schemas (the quality gate).
// RE2's automata take time linear in the input whatever the pattern: `(a+)+$` on a long string of
// a's costs what `a+$` costs. V8's backtracking engine can take exponential time on such patterns,
// and one such match blocks the event loop, so every request on the pod. See
// docs/adr/0010-linear-time-regular-expressions.md.
import { RE2JS, RE2Set } from 're2js';

/** A compiled pattern that matches in time linear in its input. */
export interface LinearRegex {
  readonly source: string;
  /** True when the pattern matches anywhere in `text`. */
  test(text: string): boolean;
}

/** A pattern the engine cannot run, with what is wrong and how to write it instead. */
export class PatternError extends Error {
  readonly pattern: string;
  readonly hint: string;

  constructor(pattern: string, reason: string, hint: string) {
    super(hint === '' ? reason : `${reason}; ${hint}`);
    this.name = 'PatternError';
    this.pattern = pattern;
    this.hint = hint;
  }
}

/** Flags a pattern may be compiled with (the JSON Schema `u` flag needs none: RE2 reads Unicode). */
export interface LinearRegexFlags {
  ignoreCase?: boolean;
}

/**
 * Compiles `pattern` (RE2 syntax; the JavaScript escapes `\uXXXX`, `\u{…}` and `\cX` are
 * translated) or throws a PatternError that names the unsupported construct and a rewrite.
 */
export function compileLinear(pattern: string, flags: LinearRegexFlags = {}): LinearRegex {
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported !== undefined)
    throw new PatternError(pattern, unsupported.reason, unsupported.hint);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(
      RE2JS.translateRegExp(pattern),
      flags.ignoreCase === true ? RE2JS.CASE_INSENSITIVE : 0,
    );
  } catch (error) {
    throw new PatternError(pattern, (error as Error).message, '');
  }
  return { source: pattern, test: (text) => compiled.test(text) };
}

/** What is wrong with `pattern` for the linear engine, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  try {
    compileLinear(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Several patterns matched in one pass over the text (RE2's set matcher): the cost of a request
 * with many patterns is one scan, not one per pattern. Throws a PatternError like compileLinear.
 */
export class LinearPatternSet {
  readonly #set: RE2Set | undefined;
  /** How many patterns the set holds. */
  readonly size: number;

  constructor(patterns: readonly string[]) {
    this.size = patterns.length;
    for (const pattern of patterns) compileLinear(pattern); // the errors of single patterns
    if (patterns.length === 0) return;
    const set = new RE2Set(RE2Set.UNANCHORED);
    for (const pattern of patterns) set.add(RE2JS.translateRegExp(pattern));
    set.compile();
    this.#set = set;
  }

  /** True when any pattern matches anywhere in `text`. */
  test(text: string): boolean {
    return this.#set !== undefined && this.#set.match(text).length > 0;
  }
}

/**
 * Constructs of JavaScript (and PCRE) that RE2 cannot run in linear time, so does not run at all,
 * found before the parser so the message can say what to write instead. An escaped backslash is
 * skipped, so `\\1` (a backslash, then 1) is not a backreference.
 */
function unsupportedConstruct(pattern: string): { reason: string; hint: string } | undefined {
  let inClass = false; // inside [...], ( and ? are literals
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const found = inClass ? undefined : escapeConstruct(pattern.slice(i + 1, i + 3));
      if (found !== undefined) return found;
      i++; // whatever is escaped is a literal or a class, never a group
    } else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (!inClass && char === '(' && pattern[i + 1] === '?') {
      const found = groupConstruct(pattern.slice(i + 2, i + 4));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function escapeConstruct(escaped: string): { reason: string; hint: string } | undefined {
  return /^[1-9]|^k</.test(escaped) ? BACKREFERENCE : undefined;
}

function groupConstruct(kind: string): { reason: string; hint: string } | undefined {
  if (kind.startsWith('=') || kind.startsWith('!')) return LOOKAHEAD;
  if (kind === '<=' || kind === '<!') return LOOKBEHIND;
  return undefined;
}

const BACKREFERENCE = {
  reason: 'backreferences (\\1, \\k<name>) are not supported by the linear-time engine (RE2)',
  hint: 'match the repeated text explicitly, or drop the requirement that it repeats',
};
const LOOKAHEAD = {
  reason: 'lookahead ((?=…), (?!…)) is not supported by the linear-time engine (RE2)',
  hint: 'match the text itself instead of asserting it, e.g. use another rule or pattern for the negative case',
};
const LOOKBEHIND = {
  reason: 'lookbehind ((?<=…), (?<!…)) is not supported by the linear-time engine (RE2)',
  hint: 'include the preceding text in the match, or use \\b for a word boundary',
};
