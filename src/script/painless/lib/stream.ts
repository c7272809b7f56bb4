/**
 * java.util.stream, eagerly: a JStream holds an array; each operation produces the next array. Watch
 * data is small (search hits, buckets), so laziness buys nothing, and eager arrays keep this short.
 * Every element visited charges one step; every element produced charges one allocation.
 */
import type { Env } from '../env.ts';
import { Special, isJsonish, mkDouble, num, rtError, typeName } from '../values.ts';
import { comparator, naturalCompare } from './compare.ts';
import { collect } from './collectors.ts';
import { argFn, argInt, invoke, table, test, type Table } from './table.ts';

/** '' = Stream<Object>; 'int' / 'long' / 'double' = the primitive streams (IntStream…). */
export type Prim = '' | 'int' | 'long' | 'double';

export class JStream extends Special {
  readonly kind = 'stream';
  readonly items: unknown[];
  readonly prim: Prim;
  constructor(items: unknown[], prim: Prim = '') {
    super();
    this.items = items;
    this.prim = prim;
  }
  typeName(): string { return this.prim === '' ? 'Stream' : `${this.prim[0]!.toUpperCase()}${this.prim.slice(1)}Stream`; }
  toJava(): string { return this.typeName(); }
}

export class JOptional extends Special {
  readonly kind = 'optional';
  readonly value: unknown;
  readonly present: boolean;
  constructor(value: unknown, present: boolean) {
    super();
    this.value = value;
    this.present = present;
  }
  typeName(): string { return 'Optional'; }
  toJava(): string { return this.present ? `Optional[${String(this.value)}]` : 'Optional.empty'; }
}

export const EMPTY = new JOptional(null, false);
const some = (v: unknown) => new JOptional(v, true);

function mapTo(env: Env, s: JStream, a: unknown[], prim: Prim): JStream {
  const f = argFn(a[0], 'map');
  env.allocate(s.items.length);
  return new JStream(s.items.map((x) => toPrim(invoke(env, f, x), prim)), prim);
}

/** Values in primitive streams are plain JS numbers; the stream's `prim` says how to box results. */
function toPrim(v: unknown, prim: Prim): unknown {
  if (prim === '') return v;
  const n = num(v);
  if (n === undefined) throw rtError(`expected a number in ${prim} stream, got [${typeName(v)}]`);
  if (prim !== 'double' && !Number.isInteger(n)) throw rtError(`cannot convert a double to ${prim}`);
  return n;
}

function box(v: unknown, prim: Prim): unknown {
  return prim === 'double' ? mkDouble(v as number) : v;
}

function numbersOf(s: JStream, what: string): number[] {
  if (s.prim === '') throw rtError(`${what}() is not defined on Stream; use mapToInt or mapToDouble first`);
  return s.items as number[];
}

function extreme(env: Env, s: JStream, a: unknown[], sign: number): JOptional {
  env.step(s.items.length);
  if (s.items.length === 0) return EMPTY;
  if (s.prim === '' && a.length === 0) throw rtError('max()/min() on a Stream needs a Comparator');
  const cmp = s.prim === '' ? comparator(env, a[0]) : naturalCompare;
  let best = s.items[0];
  for (let i = 1; i < s.items.length; i++) if (sign * cmp(s.items[i], best) > 0) best = s.items[i];
  return some(box(best, s.prim));
}

export const STREAM_METHODS: Table = table({
  filter: [1, 1, (env, s: JStream, a) => {
    const f = argFn(a[0], 'filter');
    return new JStream(s.items.filter((x) => test(env, f, x)), s.prim);
  }],
  map: [1, 1, (env, s: JStream, a) => mapTo(env, s, a, s.prim)],
  mapToObj: [1, 1, (env, s: JStream, a) => mapTo(env, s, a, '')],
  mapToInt: [1, 1, (env, s: JStream, a) => mapTo(env, s, a, 'int')],
  mapToLong: [1, 1, (env, s: JStream, a) => mapTo(env, s, a, 'long')],
  mapToDouble: [1, 1, (env, s: JStream, a) => mapTo(env, s, a, 'double')],
  asDoubleStream: [0, 0, (_e, s: JStream) => new JStream(numbersOf(s, 'asDoubleStream'), 'double')],
  boxed: [0, 0, (_e, s: JStream) => new JStream(s.items.map((x) => box(x, s.prim)))],
  flatMap: [1, 1, (env, s: JStream, a) => {
    const f = argFn(a[0], 'flatMap');
    const out: unknown[] = [];
    for (const x of s.items) {
      const r = invoke(env, f, x);
      const items = r instanceof JStream ? r.items : Array.isArray(r) ? r : null;
      if (!items) throw rtError(`flatMap function must return a stream, got [${typeName(r)}]`);
      env.allocate(items.length);
      for (const y of items) out.push(y);
    }
    return new JStream(out);
  }],
  anyMatch: [1, 1, (env, s: JStream, a) => { const f = argFn(a[0], 'anyMatch'); return s.items.some((x) => test(env, f, x)); }],
  allMatch: [1, 1, (env, s: JStream, a) => { const f = argFn(a[0], 'allMatch'); return s.items.every((x) => test(env, f, x)); }],
  noneMatch: [1, 1, (env, s: JStream, a) => { const f = argFn(a[0], 'noneMatch'); return !s.items.some((x) => test(env, f, x)); }],
  count: [0, 0, (_e, s: JStream) => s.items.length],
  sum: [0, 0, (env, s: JStream) => {
    const xs = numbersOf(s, 'sum');
    env.step(xs.length);
    let t = 0;
    for (const x of xs) t += x;
    return box(t, s.prim);
  }],
  average: [0, 0, (env, s: JStream) => {
    const xs = numbersOf(s, 'average');
    env.step(xs.length);
    if (xs.length === 0) return EMPTY;
    let t = 0;
    for (const x of xs) t += x;
    return some(mkDouble(t / xs.length));
  }],
  max: [0, 1, (env, s: JStream, a) => extreme(env, s, a, 1)],
  min: [0, 1, (env, s: JStream, a) => extreme(env, s, a, -1)],
  sorted: [0, 1, (env, s: JStream, a) => {
    env.step(s.items.length);
    env.allocate(s.items.length);
    return new JStream([...s.items].sort(comparator(env, a[0] ?? null)), s.prim);
  }],
  limit: [1, 1, (_e, s: JStream, a) => new JStream(s.items.slice(0, Math.max(0, argInt(a[0], 'limit'))), s.prim)],
  skip: [1, 1, (_e, s: JStream, a) => new JStream(s.items.slice(Math.max(0, argInt(a[0], 'skip'))), s.prim)],
  distinct: [0, 0, (env, s: JStream) => {
    env.step(s.items.length);
    const seen = new Set<unknown>();
    return new JStream(s.items.filter((x) => {
      const k = typeof x === 'object' && x !== null ? JSON.stringify(x) : x;
      return seen.has(k) ? false : (seen.add(k), true);
    }), s.prim);
  }],
  findFirst: [0, 0, (_e, s: JStream) => (s.items.length ? some(box(s.items[0], s.prim)) : EMPTY)],
  findAny: [0, 0, (_e, s: JStream) => (s.items.length ? some(box(s.items[0], s.prim)) : EMPTY)],
  forEach: [1, 1, (env, s: JStream, a) => { const f = argFn(a[0], 'forEach'); for (const x of s.items) invoke(env, f, box(x, s.prim)); return null; }],
  reduce: [1, 2, (env, s: JStream, a) => {
    const f = argFn(a[a.length - 1], 'reduce');
    if (a.length === 1 && s.items.length === 0) return EMPTY;
    let acc = a.length === 2 ? a[0] : box(s.items[0], s.prim);
    for (let i = a.length === 2 ? 0 : 1; i < s.items.length; i++) acc = invoke(env, f, acc, box(s.items[i], s.prim));
    return a.length === 2 ? acc : some(acc);
  }],
  collect: [1, 1, (env, s: JStream, a) => {
    const r = collect(env, s.items.map((x) => box(x, s.prim)), a[0]);
    // Sets, grouped maps and lists of boxed values need normalizing if they end up in the output.
    if (typeof r === 'object' && !(Array.isArray(r) && r.every(isJsonish))) env.boxed = true;
    return r;
  }],
  toList: [0, 0, (env, s: JStream) => {
    const r = s.items.map((x) => box(x, s.prim));
    if (r.some((x) => !isJsonish(x))) env.boxed = true;
    return r;
  }],
  toArray: [0, 0, (_e, s: JStream) => s.items.map((x) => box(x, s.prim))],
});

export const OPTIONAL_METHODS: Table = table({
  isPresent: [0, 0, (_e, o: JOptional) => o.present],
  isEmpty: [0, 0, (_e, o: JOptional) => !o.present],
  get: [0, 0, (_e, o: JOptional) => present(o)],
  getAsInt: [0, 0, (_e, o: JOptional) => present(o)],
  getAsLong: [0, 0, (_e, o: JOptional) => present(o)],
  getAsDouble: [0, 0, (_e, o: JOptional) => present(o)],
  orElseThrow: [0, 0, (_e, o: JOptional) => present(o)],
  orElse: [1, 1, (_e, o: JOptional, a) => (o.present ? o.value : a[0])],
  orElseGet: [1, 1, (env, o: JOptional, a) => (o.present ? o.value : invoke(env, argFn(a[0], 'orElseGet')))],
  ifPresent: [1, 1, (env, o: JOptional, a) => { if (o.present) invoke(env, argFn(a[0], 'ifPresent'), o.value); return null; }],
  map: [1, 1, (env, o: JOptional, a) => {
    if (!o.present) return EMPTY;
    const r = invoke(env, argFn(a[0], 'map'), o.value);
    return r === null ? EMPTY : some(r);
  }],
  filter: [1, 1, (env, o: JOptional, a) => (o.present && test(env, argFn(a[0], 'filter'), o.value) ? o : EMPTY)],
});

function present(o: JOptional): unknown {
  if (!o.present) throw rtError('no value present (NoSuchElementException)');
  return o.value;
}

/** `list.stream()`, `set.stream()`: copies so that later changes to the list do not affect the stream. */
export function streamOf(env: Env, items: Iterable<unknown>): JStream {
  const arr = [...items];
  env.allocate(arr.length);
  return new JStream(arr);
}
