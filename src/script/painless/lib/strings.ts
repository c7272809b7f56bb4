/** String, Number and Boolean methods. */
import type { Env } from '../env.ts';
import { JDouble, equalsValue, mkDouble, num, rtError, toJava } from '../values.ts';
import { naturalCompare } from './compare.ts';
import { argInt, argNum, argStr, table, type Table } from './table.ts';
import { compileRegex, RegexError } from '../../regex.ts';

const REGEX_META = /[.$|()[\]{}^?*+\\]/;

/**
 * Java's String.split takes a regex. Literal separators (`,`, `\\.`, `\\|`) are split literally; other
 * patterns run on RE2 (regex.ts), linear in the input whatever the pattern, with Java's split rules
 * (groups are not returned, trailing empty strings are dropped unless the limit is negative). RE2 has no
 * lookarounds or backreferences: such patterns fail with a clear error.
 */
function split(env: Env, s: string, pattern: string, limit: number): string[] {
  let parts: string[];
  const literal = !REGEX_META.test(pattern);
  if (literal || /^\\[^a-zA-Z0-9]$/.test(pattern)) {
    const sep = literal ? pattern : pattern[1]!;
    if (s === '') return [''];
    parts = s.split(sep);
    if (limit > 0 && parts.length > limit) parts = [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
    else if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  } else {
    let re;
    try {
      re = compileRegex(pattern);
    } catch (e) {
      throw rtError(`split: ${e instanceof RegexError ? e.message : String(e)} in [${pattern}]`);
    }
    // One RE2 call cannot be interrupted, so its input is charged first: splitting runs at up to about
    // eight steps' time a character, plus the cost of each part found.
    env.step(s.length * 8);
    parts = re.split(s, limit);
    env.step(parts.length * 16);
  }
  env.allocate(parts.length + s.length);
  return parts;
}

function substring(s: string, a: unknown[]): string {
  const from = argInt(a[0], 'substring');
  const to = a.length > 1 ? argInt(a[1], 'substring') : s.length;
  if (from < 0 || to > s.length || from > to) {
    throw rtError(`begin ${from}, end ${to}, length ${s.length} (StringIndexOutOfBoundsException)`);
  }
  return s.slice(from, to);
}

export const STRING_METHODS: Table = table({
  length: [0, 0, (_e, s: string) => s.length],
  isEmpty: [0, 0, (_e, s: string) => s.length === 0],
  isBlank: [0, 0, (_e, s: string) => s.trim().length === 0],
  contains: [1, 1, (_e, s: string, a) => s.includes(argStr(a[0], 'contains'))],
  startsWith: [1, 2, (_e, s: string, a) => s.startsWith(argStr(a[0], 'startsWith'), a.length > 1 ? argInt(a[1], 'startsWith') : 0)],
  endsWith: [1, 1, (_e, s: string, a) => s.endsWith(argStr(a[0], 'endsWith'))],
  indexOf: [1, 2, (_e, s: string, a) => s.indexOf(argStr(a[0], 'indexOf'), a.length > 1 ? argInt(a[1], 'indexOf') : 0)],
  lastIndexOf: [1, 1, (_e, s: string, a) => s.lastIndexOf(argStr(a[0], 'lastIndexOf'))],
  substring: [1, 2, (_e, s: string, a) => substring(s, a)],
  charAt: [1, 1, (_e, s: string, a) => {
    const i = argInt(a[0], 'charAt');
    if (i < 0 || i >= s.length) throw rtError(`index ${i} out of bounds for length ${s.length} (StringIndexOutOfBoundsException)`);
    return s[i];
  }],
  toLowerCase: [0, 0, (_e, s: string) => s.toLowerCase()],
  toUpperCase: [0, 0, (_e, s: string) => s.toUpperCase()],
  trim: [0, 0, (_e, s: string) => s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')],
  strip: [0, 0, (_e, s: string) => s.trim()],
  split: [1, 2, (env, s: string, a) => split(env, s, argStr(a[0], 'split'), a.length > 1 ? argInt(a[1], 'split') : 0)],
  splitOnToken: [1, 2, (env, s: string, a) => {
    const parts = s.split(argStr(a[0], 'splitOnToken'));
    env.allocate(parts.length + s.length);
    return a.length > 1 ? parts.slice(0, argInt(a[1], 'splitOnToken')) : parts;
  }],
  replace: [2, 2, (env, s: string, a) => {
    const r = s.split(toJava(a[0])).join(toJava(a[1]));
    env.allocate(r.length);
    return r;
  }],
  concat: [1, 1, (env, s: string, a) => { const r = s + argStr(a[0], 'concat'); env.allocate(r.length); return r; }],
  equals: [1, 1, (_e, s: string, a) => s === a[0]],
  equalsIgnoreCase: [1, 1, (_e, s: string, a) => typeof a[0] === 'string' && s.toLowerCase() === a[0].toLowerCase()],
  compareTo: [1, 1, (_e, s: string, a) => naturalCompare(s, argStr(a[0], 'compareTo'))],
  compareToIgnoreCase: [1, 1, (_e, s: string, a) => naturalCompare(s.toLowerCase(), argStr(a[0], 'compareToIgnoreCase').toLowerCase())],
  toString: [0, 0, (_e: Env, s: string) => s] as const,
});

const trunc = (n: number) => Math.trunc(n) || 0;

export const NUMBER_METHODS: Table = table({
  intValue: [0, 0, (_e, n: number | JDouble) => trunc(argNum(n, 'intValue'))],
  longValue: [0, 0, (_e, n: number | JDouble) => trunc(argNum(n, 'longValue'))],
  doubleValue: [0, 0, (_e, n: number | JDouble) => mkDouble(argNum(n, 'doubleValue'))],
  floatValue: [0, 0, (_e, n: number | JDouble) => mkDouble(argNum(n, 'floatValue'))],
  compareTo: [1, 1, (_e, n: number | JDouble, a) => naturalCompare(n, a[0])],
  isNaN: [0, 0, (_e, n: number | JDouble) => Number.isNaN(num(n))],
  isInfinite: [0, 0, (_e, n: number | JDouble) => Math.abs(num(n)!) === Infinity],
});

export const BOOLEAN_METHODS: Table = table({
  booleanValue: [0, 0, (_e, b: boolean) => b],
  compareTo: [1, 1, (_e, b: boolean, a) => naturalCompare(b, a[0])],
});

/** Methods every value answers. */
export const OBJECT_METHODS: Table = table({
  equals: [1, 1, (_e, x: unknown, a) => equalsValue(x, a[0])],
  toString: [0, 0, (env: Env, x: unknown) => { const s = toJava(x); env.allocate(s.length); return s; }] as const,
});
