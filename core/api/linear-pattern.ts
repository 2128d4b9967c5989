import { z } from 'zod';
import { compileLinear } from '../regex/linear-regex.ts';
import { withRules } from './schema-kit.ts';

/**
 * Finds, in a pattern's text, the constructs RE2 does not run: lookahead `(?=` `(?!`, lookbehind
 * `(?<=` `(?<!` and backreferences `\1`…`\9`, `\k<`, each not escaped (preceded by an even
 * number of backslashes). The API server runs it with CEL's `matches()`, which is RE2 too, and
 * zod runs the same expression on the same engine, so both sides give the same verdict.
 */
const UNSUPPORTED_CONSTRUCT = String.raw`(^|[^\\])(\\\\)*(\(\?<?[=!]|\\[1-9]|\\k<)`;
const unsupported = compileLinear(UNSUPPORTED_CONSTRUCT);

/**
 * A regular expression in a manifest: RE2 syntax, run in time linear in the text it reads. What
 * CEL cannot see (a pattern that does not parse) is reported in status by compile().
 */
export function linearPatternField() {
  return withRules(z.string().min(1).max(1024), [
    {
      rule: `!self.matches(r'${UNSUPPORTED_CONSTRUCT}')`,
      message:
        'patterns use RE2 syntax and run in linear time: lookahead (?= (?!, lookbehind (?<= (?<! and backreferences \\1 \\k<name> are not supported; match the text itself instead',
      holds: (pattern) => !unsupported.test(pattern),
    },
  ]);
}
