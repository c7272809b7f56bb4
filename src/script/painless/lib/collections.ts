/** List, Map, Set and Map.Entry methods, including Painless' Groovy-style list augmentations (any, findAll…). */
import type { Env } from '../env.ts';
import { JDouble, JEntry, equalsValue, getKey, isJsonish, isMap, putKey, rtError, toJava, toKey, typeName } from '../values.ts';
import { sortList } from './compare.ts';
import { streamOf } from './stream.ts';
import { argFn, argInt, argStr, invoke, table, test, type Table } from './table.ts';

type Obj = Record<string, unknown>;

/** Records that a non-JSON value went into a container, so run() normalizes its output. */
export function stored(env: Env, v: unknown): unknown {
  if (!isJsonish(v)) env.boxed = true;
  return v;
}

function checkIndex(i: unknown, size: number, what: string, allowEnd = false): number {
  const n = argInt(i, what);
  if (n < 0 || n > size || (n === size && !allowEnd)) throw rtError(`index ${n} out of bounds for length ${size} (IndexOutOfBoundsException)`);
  return n;
}

function elements(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  throw rtError(`${what} expects a collection, got [${typeName(v)}]`);
}

const indexOf = (l: unknown[], x: unknown) => l.findIndex((y) => equalsValue(y, x));
const setVal = (x: unknown) => (x instanceof JDouble ? x.v : x);

export const LIST_METHODS: Table = table({
  size: [0, 0, (_e, l: unknown[]) => l.length],
  isEmpty: [0, 0, (_e, l: unknown[]) => l.length === 0],
  get: [1, 1, (_e, l: unknown[], a) => l[checkIndex(a[0], l.length, 'get')] ?? null],
  contains: [1, 1, (env, l: unknown[], a) => { env.step(l.length); return indexOf(l, a[0]) >= 0; }],
  containsAll: [1, 1, (env, l: unknown[], a) => elements(a[0], 'containsAll').every((x) => { env.step(l.length); return indexOf(l, x) >= 0; })],
  indexOf: [1, 1, (env, l: unknown[], a) => { env.step(l.length); return indexOf(l, a[0]); }],
  lastIndexOf: [1, 1, (env, l: unknown[], a) => { env.step(l.length); return l.findLastIndex((y) => equalsValue(y, a[0])); }],
  add: [1, 2, (env, l: unknown[], a) => {
    env.allocate(1);
    if (a.length === 1) { l.push(stored(env, a[0])); return true; }
    l.splice(checkIndex(a[0], l.length, 'add', true), 0, stored(env, a[1]));
    return null;
  }],
  addAll: [1, 1, (env, l: unknown[], a) => {
    const xs = elements(a[0], 'addAll');
    env.allocate(xs.length);
    for (const x of xs) l.push(stored(env, x));
    return xs.length > 0;
  }],
  set: [2, 2, (env, l: unknown[], a) => {
    const i = checkIndex(a[0], l.length, 'set');
    const old = l[i];
    l[i] = stored(env, a[1]);
    return old ?? null;
  }],
  // Java's List.remove(int) removes by position; remove(Object) by value.
  remove: [1, 1, (env, l: unknown[], a) => {
    if (typeof a[0] === 'number' && Number.isInteger(a[0])) return l.splice(checkIndex(a[0], l.length, 'remove'), 1)[0] ?? null;
    env.step(l.length);
    const i = indexOf(l, a[0]);
    if (i >= 0) l.splice(i, 1);
    return i >= 0;
  }],
  removeIf: [1, 1, (env, l: unknown[], a) => {
    const f = argFn(a[0], 'removeIf');
    const keep = l.filter((x) => !test(env, f, x));
    const changed = keep.length !== l.length;
    l.length = 0;
    l.push(...keep);
    return changed;
  }],
  clear: [0, 0, (_e, l: unknown[]) => { l.length = 0; return null; }],
  stream: [0, 0, (env, l: unknown[]) => streamOf(env, l)],
  sort: [1, 1, (env, l: unknown[], a) => { sortList(env, l, a[0]); return null; }],
  subList: [2, 2, (env, l: unknown[], a) => {
    const from = checkIndex(a[0], l.length, 'subList', true), to = checkIndex(a[1], l.length, 'subList', true);
    if (from > to) throw rtError(`subList: fromIndex ${from} > toIndex ${to}`);
    env.allocate(to - from);
    return l.slice(from, to);
  }],
  forEach: [1, 1, (env, l: unknown[], a) => { const f = argFn(a[0], 'forEach'); for (const x of [...l]) invoke(env, f, x); return null; }],
  any: [1, 1, (env, l: unknown[], a) => { const f = argFn(a[0], 'any'); return l.some((x) => test(env, f, x)); }],
  every: [1, 1, (env, l: unknown[], a) => { const f = argFn(a[0], 'every'); return l.every((x) => test(env, f, x)); }],
  find: [1, 1, (env, l: unknown[], a) => { const f = argFn(a[0], 'find'); return l.find((x) => test(env, f, x)) ?? null; }],
  findAll: [1, 1, (env, l: unknown[], a) => { const f = argFn(a[0], 'findAll'); return l.filter((x) => test(env, f, x)); }],
  // `collect(Collectors…)` belongs to streams; on a List, collect(fn) is the Painless augmentation (map to a new list).
  collect: [1, 1, (env, l: unknown[], a) => {
    const f = argFn(a[0], 'collect');
    env.allocate(l.length);
    return l.map((x) => stored(env, invoke(env, f, x)));
  }],
  join: [1, 1, (env, l: unknown[], a) => {
    const s = l.map(toJava).join(argStr(a[0], 'join'));
    env.allocate(s.length);
    return s;
  }],
  toArray: [0, 0, (env, l: unknown[]) => { env.allocate(l.length); return l.slice(); }],
  getLength: [0, 0, (_e, l: unknown[]) => l.length],
});

export const SET_METHODS: Table = table({
  size: [0, 0, (_e, s: Set<unknown>) => s.size],
  isEmpty: [0, 0, (_e, s: Set<unknown>) => s.size === 0],
  contains: [1, 1, (_e, s: Set<unknown>, a) => s.has(setVal(a[0]))],
  containsAll: [1, 1, (_e, s: Set<unknown>, a) => elements(a[0], 'containsAll').every((x) => s.has(setVal(x)))],
  add: [1, 1, (env, s: Set<unknown>, a) => {
    const v = setVal(a[0]);
    if (s.has(v)) return false;
    env.allocate(1);
    s.add(stored(env, v));
    return true;
  }],
  addAll: [1, 1, (env, s: Set<unknown>, a) => {
    const xs = elements(a[0], 'addAll');
    env.allocate(xs.length);
    const before = s.size;
    for (const x of xs) s.add(stored(env, setVal(x)));
    return s.size !== before;
  }],
  remove: [1, 1, (_e, s: Set<unknown>, a) => s.delete(setVal(a[0]))],
  clear: [0, 0, (_e, s: Set<unknown>) => { s.clear(); return null; }],
  stream: [0, 0, (env, s: Set<unknown>) => streamOf(env, s)],
  forEach: [1, 1, (env, s: Set<unknown>, a) => { const f = argFn(a[0], 'forEach'); for (const x of [...s]) invoke(env, f, x); return null; }],
});

export const MAP_METHODS: Table = table({
  get: [1, 1, (_e, m: Obj, a) => getKey(m, toKey(a[0]))],
  getOrDefault: [2, 2, (_e, m: Obj, a) => { const k = toKey(a[0]); return Object.hasOwn(m, k) ? m[k] : a[1]; }],
  containsKey: [1, 1, (_e, m: Obj, a) => Object.hasOwn(m, toKey(a[0]))],
  containsValue: [1, 1, (env, m: Obj, a) => { const vs = Object.values(m); env.step(vs.length); return indexOf(vs, a[0]) >= 0; }],
  put: [2, 2, (env, m: Obj, a) => {
    const k = toKey(a[0]);
    const old = getKey(m, k);
    if (!Object.hasOwn(m, k)) env.allocate(1);
    putKey(m, k, stored(env, a[1]));
    return old;
  }],
  putIfAbsent: [2, 2, (env, m: Obj, a) => {
    const k = toKey(a[0]);
    if (Object.hasOwn(m, k) && m[k] !== null) return m[k];
    env.allocate(1);
    putKey(m, k, stored(env, a[1]));
    return null;
  }],
  putAll: [1, 1, (env, m: Obj, a) => {
    if (!isMap(a[0])) throw rtError(`putAll expects a Map, got [${typeName(a[0])}]`);
    const entries = Object.entries(a[0]);
    env.allocate(entries.length);
    for (const [k, v] of entries) putKey(m, k, stored(env, v));
    return null;
  }],
  remove: [1, 1, (_e, m: Obj, a) => {
    const k = toKey(a[0]);
    const old = getKey(m, k);
    delete m[k];
    return old;
  }],
  computeIfAbsent: [2, 2, (env, m: Obj, a) => {
    const k = toKey(a[0]);
    if (Object.hasOwn(m, k) && m[k] !== null) return m[k];
    const v = invoke(env, argFn(a[1], 'computeIfAbsent'), a[0]);
    if (v !== null) { env.allocate(1); putKey(m, k, stored(env, v)); }
    return v;
  }],
  keySet: [0, 0, (env, m: Obj) => { const ks = Object.keys(m); env.allocate(ks.length); return new Set(ks); }],
  values: [0, 0, (env, m: Obj) => { const vs = Object.values(m); env.allocate(vs.length); return vs; }],
  entrySet: [0, 0, (env, m: Obj) => {
    const es = Object.entries(m);
    env.allocate(es.length);
    return new Set(es.map(([k, v]) => new JEntry(k, v, m)));
  }],
  size: [0, 0, (_e, m: Obj) => Object.keys(m).length],
  isEmpty: [0, 0, (_e, m: Obj) => Object.keys(m).length === 0],
  clear: [0, 0, (_e, m: Obj) => { for (const k of Object.keys(m)) delete m[k]; return null; }],
  forEach: [1, 1, (env, m: Obj, a) => {
    const f = argFn(a[0], 'forEach');
    for (const [k, v] of Object.entries(m)) invoke(env, f, k, v);
    return null;
  }],
});

export const ENTRY_METHODS: Table = table({
  getKey: [0, 0, (_e, x: JEntry) => x.key],
  getValue: [0, 0, (_e, x: JEntry) => x.value],
  setValue: [1, 1, (env, x: JEntry, a) => {
    const old = x.value;
    x.value = a[0];
    if (x.map) putKey(x.map, x.key, stored(env, a[0]));
    return old;
  }],
});
