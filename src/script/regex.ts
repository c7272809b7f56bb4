/**
 * Every regular expression a user supplies (CEL `matches`, Painless `split`) runs on RE2 (re2js, a
 * pure-JS port): matching is linear in the input whatever the pattern, so a pattern like `^(a|a)*$`
 * cannot backtrack for seconds as it does on JavaScript's RegExp. The syntax is RE2's (CEL's own);
 * lookarounds and backreferences are refused with a clear error.
 *
 * Matching still costs time proportional to the input (tens of nanoseconds a character in the worst
 * case), so callers charge the input length to their budget before matching.
 */
import { RE2JS } from 're2js';

/** Longer patterns are refused: a watch's patterns are short, and compiling costs grow with length. */
export const MAX_PATTERN_LENGTH = 4096;

/** Compiled patterns kept (least recently used dropped first): dynamic patterns recompile otherwise. */
const CACHE_SIZE = 256;
const cache = new Map<string, RE2JS>();

export class RegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexError';
  }
}

/** Compiles (or takes from the cache) an RE2 pattern; throws RegexError when it is not valid RE2. */
export function compileRegex(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexError(`regular expression is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    // re2js messages name the construct: "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
    const why = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    throw new RegexError(`invalid regular expression (RE2 syntax): ${why}`);
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, re);
  return re;
}
