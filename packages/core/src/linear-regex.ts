import type { RE2JS } from 're2js';
import { re2 } from '#libraries';

/**
 * Operator-supplied patterns (scripted agent rules, workflow conditions) run on RE2JS, a port of
 * RE2: matching takes time linear in the length of the text, whatever the pattern, so a message
 * cannot stall the process. RE2 has no backreferences and no lookaround; such patterns are
 * refused with a reason saying so.
 */

/** A compiled pattern. `test` is true when the pattern matches somewhere in the text. */
export interface TextPattern {
  test(text: string): boolean;
}

export const LINEAR_REGEX_NOTE = 'patterns run in linear time; backreferences and lookaround are not available';

/**
 * Most steps a compiled pattern may have. Matching costs about steps × text length, and counted
 * repetitions multiply the steps (`.{1000}` has about a thousand), so this bounds the cost of one match.
 */
export const MAX_PATTERN_STEPS = 1000;

/** A pattern that cannot be compiled; `message` says why, in words fit for a validation error. */
export class PatternError extends SyntaxError {
  override name = 'PatternError';
}

const unsupported = (what: string) => new PatternError(`${what} (${LINEAR_REGEX_NOTE})`);

const HEX = /^[0-9A-Fa-f]+$/;

/**
 * Rewrites the JavaScript escapes RE2 spells differently (`\uXXXX`, `\u{X}`, a surrogate pair of
 * `\uXXXX`, `\cX`) and refuses what RE2 cannot run. Everything else is left for RE2 to judge.
 */
function toRe2Syntax(pattern: string): string {
  let out = '';
  let inClass = false;
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return out + ch; // RE2 reports the trailing backslash
      if (next === 'Q') {
        // \Q…\E quotes literally: copy it untouched.
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end === -1 ? n : end + 2;
        out += pattern.slice(i, stop);
        i = stop;
        continue;
      }
      if (!inClass && next >= '1' && next <= '9') throw unsupported('backreferences are not supported');
      if (!inClass && next === 'k' && pattern[i + 2] === '<') throw unsupported('backreferences are not supported');
      if (next === 'u') {
        const code = unicodeEscape(pattern, i);
        if (code) {
          out += `\\x{${code.value.toString(16)}}`;
          i = code.end;
          continue;
        }
      }
      if (next === 'c' && /^[A-Za-z]$/.test(pattern[i + 2] ?? '')) {
        out += `\\x{${(pattern.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 3;
        continue;
      }
      out += ch + next;
      i += 2;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      i += 1;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      i += 1;
      // A `]` first in a class (after an optional `^`) is a literal in RE2.
      if (pattern[i] === '^') out += pattern[i++];
      if (pattern[i] === ']') out += pattern[i++];
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      const head = pattern.slice(i + 2, i + 4);
      if (head.startsWith('=') || head.startsWith('!')) throw unsupported('lookahead is not supported');
      if (head === '<=' || head === '<!') throw unsupported('lookbehind is not supported');
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** `\uXXXX` (joined with a following low surrogate `\uXXXX`) or `\u{X…}` at `at`. */
function unicodeEscape(pattern: string, at: number): { value: number; end: number } | undefined {
  if (pattern[at + 2] === '{') {
    const close = pattern.indexOf('}', at + 3);
    const digits = close === -1 ? '' : pattern.slice(at + 3, close);
    if (!HEX.test(digits) || digits.length > 6) return undefined;
    return { value: parseInt(digits, 16), end: close + 1 };
  }
  const digits = pattern.slice(at + 2, at + 6);
  if (digits.length !== 4 || !HEX.test(digits)) return undefined;
  const value = parseInt(digits, 16);
  if (value >= 0xd800 && value <= 0xdbff && pattern.startsWith('\\u', at + 6)) {
    const low = pattern.slice(at + 8, at + 12);
    if (low.length === 4 && HEX.test(low)) {
      const lowValue = parseInt(low, 16);
      if (lowValue >= 0xdc00 && lowValue <= 0xdfff) {
        return { value: 0x10000 + (value - 0xd800) * 0x400 + (lowValue - 0xdc00), end: at + 12 };
      }
    }
  }
  return { value, end: at + 6 };
}

function compileRe2(source: string, caseSensitive: boolean): TextPattern {
  const { RE2JS: Re2 } = re2();
  let compiled: RE2JS;
  try {
    // Compiled without flags first so that error messages quote the pattern as written.
    compiled = Re2.compile(source);
    if (!caseSensitive) compiled = Re2.compile(source, Re2.CASE_INSENSITIVE);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    throw new PatternError(`must be a valid regular expression (${reason})`);
  }
  const steps = compiled.programSize();
  if (steps > MAX_PATTERN_STEPS) {
    throw new PatternError(
      `is too large: its counted repetitions expand it to ${steps} steps, and at most ${MAX_PATTERN_STEPS} are allowed`,
    );
  }
  return compiled;
}

/**
 * Compiles an operator's regular expression with RE2 semantics: case-insensitive unless
 * `caseSensitive`, searched anywhere in the text (anchor it with `^…$` for the whole text).
 * JavaScript's `\uXXXX`, `\u{…}` and `\cX` escapes are accepted. Throws a PatternError whose
 * message explains the refusal (backreferences, lookaround, syntax errors, too large).
 */
export function compileLinearRegex(pattern: string, options: { caseSensitive?: boolean | undefined } = {}): TextPattern {
  return compileRe2(toRe2Syntax(pattern), options.caseSensitive === true);
}

/** Why `pattern` would be refused by `compileLinearRegex`, or undefined when it compiles. */
export function linearRegexProblem(pattern: string, options: { caseSensitive?: boolean | undefined } = {}): string | undefined {
  try {
    compileLinearRegex(pattern, options);
    return undefined;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
}

const RE2_PUNCTUATION = /[!-/:-@[-`{-~]/g;
/** Letters, digits and underscore: what may not touch a keyword on either side. */
const WORD_CHAR = '\\p{L}\\p{N}_';
/** What JavaScript's `\s` matches (RE2's `\s` is ASCII only). */
const WHITESPACE = '[\\t-\\r\\p{Z}\\x{FEFF}]+';

/**
 * A whole-word match of `keyword` (trimmed; inner runs of whitespace match any whitespace): it
 * must not be preceded or followed by a letter, digit or underscore.
 */
export function compileKeyword(keyword: string, options: { caseSensitive?: boolean | undefined } = {}): TextPattern {
  const words = keyword
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(RE2_PUNCTUATION, '\\$&'));
  return compileRe2(`(?:^|[^${WORD_CHAR}])${words.join(WHITESPACE)}(?:[^${WORD_CHAR}]|$)`, options.caseSensitive === true);
}
