/**
 * Static classes a script may name: Math, Integer, Long, Double, Boolean, String, Collectors, Arrays,
 * Collections, List/Map/Set.of, Objects, Comparator and the java.time classes. Nothing else resolves,
 * so there is no path from a script to the host.
 */
import type { Env } from '../env.ts';
import { JDouble, equalsValue, isDouble, isJsonish, mkDouble, num, putKey, rtError, toJava, toKey } from '../values.ts';
import { COLLECTORS, JCollector } from './collectors.ts';
import { comparing, naturalCompare, naturalOrder, reverseOrder, sortList } from './compare.ts';
import { DATE_STATICS, DAYS, MONTHS, UNITS, JZone } from './dates.ts';
import { argInt, argNum, argStr } from './table.ts';

export type StaticFn = (env: Env, args: unknown[]) => unknown;
export interface StaticClass { fields: Map<string, unknown>; methods: Map<string, { min: number; max: number; fn: StaticFn }> }

const dbl = (f: (x: number) => number) => [1, 1, (_e: Env, a: unknown[]) => mkDouble(f(argNum(a[0], 'Math')))] as const;

/** `Integer.parseInt` is strict like Java: an optional sign and digits only. */
function parseInteger(v: unknown, what: string, radix = 10): number {
  const s = argStr(v, what);
  const ok = radix === 10 ? /^[+-]?\d+$/.test(s) : /^[+-]?[0-9a-zA-Z]+$/.test(s);
  const n = parseInt(s, radix);
  if (!ok || Number.isNaN(n)) throw rtError(`For input string: "${s}" (NumberFormatException)`);
  return n;
}

function parseDouble(v: unknown): number | JDouble {
  const s = argStr(v, 'parseDouble').trim();
  if (/^[+-]?(NaN|Infinity)$/.test(s)) return Number(s.replace('+', ''));
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(s)) throw rtError(`For input string: "${s}" (NumberFormatException)`);
  return mkDouble(Number(s.replace(/[dDfF]$/, '')));
}

function extreme(a: unknown[], sign: number): unknown {
  const x = num(a[0]), y = num(a[1]);
  if (x === undefined || y === undefined) throw rtError('Math.max/min expect numbers');
  const r = sign > 0 ? Math.max(x, y) : Math.min(x, y);
  return isDouble(a[0]) || isDouble(a[1]) ? mkDouble(r) : r;
}

function listOf(env: Env, a: unknown[]): unknown[] {
  env.allocate(a.length);
  if (!a.every(isJsonish)) env.boxed = true;
  return a.slice();
}

type Defs = Record<string, readonly [number, number, StaticFn]>;
function cls(methods: Defs, fields: Record<string, unknown> = {}): StaticClass {
  const m = new Map<string, { min: number; max: number; fn: StaticFn }>();
  for (const [k, [min, max, fn]] of Object.entries(methods)) m.set(k, { min, max, fn });
  return { fields: new Map(Object.entries(fields)), methods: m };
}

const intLike = (min: number, max: number, parse: string) => cls({
  [parse]: [1, 2, (_e, a) => parseInteger(a[0], parse, a.length > 1 ? argInt(a[1], parse) : 10)],
  valueOf: [1, 1, (_e: Env, a: unknown[]) => (typeof a[0] === 'string' ? parseInteger(a[0], 'valueOf') : argInt(a[0], 'valueOf'))] as const,
  toString: [1, 1, (_e: Env, a: unknown[]) => String(argInt(a[0], 'toString'))] as const,
  compare: [2, 2, (_e, a) => naturalCompare(a[0], a[1])],
}, { MAX_VALUE: max, MIN_VALUE: min });

export const STATICS = new Map<string, StaticClass>([
  ['Math', cls({
    abs: [1, 1, (_e, a) => (isDouble(a[0]) ? mkDouble(Math.abs(argNum(a[0], 'abs'))) : Math.abs(argNum(a[0], 'abs')))],
    max: [2, 2, (_e, a) => extreme(a, 1)],
    min: [2, 2, (_e, a) => extreme(a, -1)],
    round: [1, 1, (_e, a) => Math.floor(argNum(a[0], 'round') + 0.5)],
    floor: dbl(Math.floor), ceil: dbl(Math.ceil), sqrt: dbl(Math.sqrt), cbrt: dbl(Math.cbrt), log: dbl(Math.log),
    log10: dbl(Math.log10), exp: dbl(Math.exp), signum: dbl(Math.sign), rint: dbl(Math.round),
    pow: [2, 2, (_e, a) => mkDouble(Math.pow(argNum(a[0], 'pow'), argNum(a[1], 'pow')))],
    hypot: [2, 2, (_e, a) => mkDouble(Math.hypot(argNum(a[0], 'hypot'), argNum(a[1], 'hypot')))],
  }, { PI: Math.PI, E: Math.E })],
  ['Integer', intLike(-2147483648, 2147483647, 'parseInt')],
  ['Long', intLike(-9223372036854775808, 9223372036854775807, 'parseLong')],
  ['Double', cls({
    parseDouble: [1, 1, (_e, a) => parseDouble(a[0])],
    valueOf: [1, 1, (_e: Env, a: unknown[]) => (typeof a[0] === 'string' ? parseDouble(a[0]) : mkDouble(argNum(a[0], 'valueOf')))] as const,
    toString: [1, 1, (_e: Env, a: unknown[]) => toJava(mkDouble(argNum(a[0], 'toString')))] as const,
    isNaN: [1, 1, (_e, a) => Number.isNaN(argNum(a[0], 'isNaN'))],
    compare: [2, 2, (_e, a) => naturalCompare(a[0], a[1])],
  }, { MAX_VALUE: Number.MAX_VALUE, MIN_VALUE: Number.MIN_VALUE, POSITIVE_INFINITY: Infinity,
    NEGATIVE_INFINITY: -Infinity, NaN: NaN })],
  ['Boolean', cls({
    parseBoolean: [1, 1, (_e, a) => typeof a[0] === 'string' && a[0].toLowerCase() === 'true'],
    valueOf: [1, 1, (_e: Env, a: unknown[]) => a[0] === true || (typeof a[0] === 'string' && a[0].toLowerCase() === 'true')] as const,
    toString: [1, 1, (_e: Env, a: unknown[]) => String(a[0] === true)] as const,
  })],
  ['String', cls({
    valueOf: [1, 1, (_e: Env, a: unknown[]) => toJava(a[0])] as const,
    join: [1, 64, (env, a) => {
      const sep = argStr(a[0], 'String.join');
      const parts = a.length === 2 && (Array.isArray(a[1]) || a[1] instanceof Set) ? [...(a[1] as Iterable<unknown>)] : a.slice(1);
      const s = parts.map(toJava).join(sep);
      env.allocate(s.length);
      return s;
    }],
  })],
  ['Collectors', cls(Object.fromEntries(Object.entries(COLLECTORS).map(([k, { min, max }]) =>
    [k, [min, max, (_e: Env, a: unknown[]) => new JCollector(k, a)] as const])))],
  ['Arrays', cls({ asList: [0, 1024, (env, a) => listOf(env, a)] })],
  ['List', cls({ of: [0, 1024, (env, a) => listOf(env, a)] })],
  ['Set', cls({ of: [0, 1024, (env, a) => { env.allocate(a.length); env.boxed = true; return new Set(a); }] })],
  ['Map', cls({ of: [0, 64, (env, a) => {
    if (a.length % 2) throw rtError('Map.of expects key/value pairs');
    const m: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) putKey(m, toKey(a[i]), a[i + 1]);
    env.allocate(a.length / 2);
    return m;
  }] })],
  ['Collections', cls({
    sort: [1, 2, (env, a) => { sortList(env, asList(a[0]), a[1] ?? null); return null; }],
    reverse: [1, 1, (_e, a) => { asList(a[0]).reverse(); return null; }],
    max: [1, 2, (env, a) => pick(env, a, 1)],
    min: [1, 2, (env, a) => pick(env, a, -1)],
    emptyList: [0, 0, () => []],
    emptyMap: [0, 0, () => ({})],
    singletonList: [1, 1, (_e, a) => [a[0]]],
    unmodifiableList: [1, 1, (_e, a) => a[0]],
    unmodifiableMap: [1, 1, (_e, a) => a[0]],
  })],
  ['Objects', cls({
    isNull: [1, 1, (_e, a) => a[0] === null],
    nonNull: [1, 1, (_e, a) => a[0] !== null],
    equals: [2, 2, (_e, a) => equalsValue(a[0], a[1])],
    toString: [1, 2, (_e: Env, a: unknown[]) => (a[0] === null && a.length > 1 ? a[1] : toJava(a[0]))] as const,
    requireNonNull: [1, 2, (_e, a) => {
      if (a[0] === null) throw rtError(a.length > 1 ? toJava(a[1]) : 'NullPointerException');
      return a[0];
    }],
    requireNonNullElse: [2, 2, (_e, a) => a[0] ?? a[1]],
  })],
  ['Comparator', cls({
    naturalOrder: [0, 0, () => naturalOrder()],
    reverseOrder: [0, 0, () => reverseOrder()],
    comparing: [1, 1, (env, a) => comparing(env, a[0])],
    comparingInt: [1, 1, (env, a) => comparing(env, a[0])],
    comparingLong: [1, 1, (env, a) => comparing(env, a[0])],
    comparingDouble: [1, 1, (env, a) => comparing(env, a[0])],
  })],
  ['DayOfWeek', cls({}, Object.fromEntries(DAYS.map((d) => [d.name, d])))],
  ['Month', cls({}, Object.fromEntries(MONTHS.map((d) => [d.name, d])))],
  ['ChronoUnit', cls({}, Object.fromEntries(UNITS.map((d) => [d.name, d])))],
  ['ZoneOffset', cls({}, { UTC: new JZone('Z') })],
  ...Object.entries(DATE_STATICS).map(([name, fns]) => [name, cls(Object.fromEntries(Object.entries(fns).map(
    ([k, fn]) => [k, [fn.length === 0 ? 0 : 1, 2, (_e: Env, a: unknown[]) => (fn as (a: unknown[]) => unknown)(a)] as const])))] as const),
]);

function asList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw rtError('expected a List');
  return v;
}

function pick(env: Env, a: unknown[], sign: number): unknown {
  const xs = a[0] instanceof Set ? [...a[0]] : asList(a[0]);
  if (xs.length === 0) throw rtError('collection is empty (NoSuchElementException)');
  const sorted = [...xs];
  sortList(env, sorted, a[1] ?? null);
  return sign > 0 ? sorted[sorted.length - 1] : sorted[0];
}
