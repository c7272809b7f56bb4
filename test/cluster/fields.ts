/**
 * Reading field values out of `_source` the way queries and aggregations see them: dotted paths through
 * objects and arrays, a `.keyword` sub-field on dynamically mapped text, values coerced to the mapped type.
 */
import type { IndexData } from './store.ts';
import type { FieldType } from './mapping.ts';
import { parseDate } from './datemath.ts';

export interface ResolvedField {
  path: string;
  type: FieldType | undefined;
}

export function resolveField(index: IndexData, field: string): ResolvedField {
  const direct = index.mappings.get(field);
  if (direct) {
    // A multi-field (`message.keyword`) reads its parent's value from the source.
    const dot = field.lastIndexOf('.');
    const parent = dot > 0 ? index.mappings.get(field.slice(0, dot)) : undefined;
    if (parent && parent !== 'object' && parent !== 'flattened') return { path: field.slice(0, dot), type: direct };
    return { path: field, type: direct };
  }
  // A key inside a flattened field is a keyword of its own.
  for (let dot = field.lastIndexOf('.'); dot > 0; dot = field.lastIndexOf('.', dot - 1)) {
    if (index.mappings.get(field.slice(0, dot)) === 'flattened') return { path: field, type: 'keyword' };
  }
  if (field.endsWith('.keyword')) {
    const base = field.slice(0, -'.keyword'.length);
    if (index.mappings.get(base) === 'text') return { path: base, type: 'keyword' };
  }
  return { path: field, type: undefined };
}

/**
 * All non-null leaf values at a dotted path (arrays flattened, `{"a.b": 1}` keys honoured); with
 * `deep`, also every leaf under an object found there (a flattened field's values).
 */
export function rawValues(source: unknown, path: string, deep = false): unknown[] {
  const out: unknown[] = [];
  collect(source, keysOf(path), 0, out, deep);
  return out;
}

/**
 * The dotted keys a path can be stored under: `keys[i][n]` joins its parts i to n-1. A search reads
 * the same few paths from every document, so they are joined once per path, not once per document.
 */
const pathKeys = new Map<string, string[][]>();
function keysOf(path: string): string[][] {
  let keys = pathKeys.get(path);
  if (keys === undefined) {
    const parts = path.split('.');
    keys = parts.map((_, i) => {
      const row: string[] = [];
      for (let n = i + 1; n <= parts.length; n++) row[n] = parts.slice(i, n).join('.');
      return row;
    });
    if (pathKeys.size >= 10_000) pathKeys.clear();
    pathKeys.set(path, keys);
  }
  return keys;
}

/** Collects the values at the path's parts from `i` on (`i === keys.length`: the node itself). */
function collect(node: unknown, keys: string[][], i: number, out: unknown[], deep: boolean): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, keys, i, out, deep);
    return;
  }
  if (i === keys.length) {
    if (typeof node !== 'object') out.push(node);
    else if (deep) for (const v of Object.values(node)) collect(v, keys, keys.length, out, true);
    return;
  }
  if (typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const row = keys[i]!;
  // Try the longest dotted key first so `{"a.b": 1}` and `{"a": {"b": 1}}` both resolve `a.b`.
  for (let n = keys.length; n > i; n--) {
    const key = row[n]!;
    if (key in obj) collect(obj[key], keys, n, out, deep);
  }
}

/** A value coerced to the field type for comparisons and aggregations; undefined when it cannot be. */
export function coerce(value: unknown, type: FieldType | undefined, now: number): string | number | boolean | undefined {
  switch (type) {
    case 'long':
    case 'double': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'date':
      return documentDate(value, now);
    case 'boolean':
      return value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined;
    case 'keyword':
    case 'text':
    case 'flattened':
      return typeof value === 'object' ? undefined : String(value);
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
  }
}

/** Values of a field for a document, coerced to its type. */
export function fieldValues(index: IndexData, source: unknown, field: string, now: number): Array<string | number | boolean> {
  const { path, type } = resolveField(index, field);
  const out: Array<string | number | boolean> = [];
  for (const raw of rawValues(source, path, type === 'flattened')) {
    const v = coerce(raw, type, now);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** The standard analyser, simplified: lowercase word tokens. */
export function analyse(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

export function compare(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Stored date strings are parsed on every query otherwise; caching them makes the test cluster fast
 * enough for benchmarks. Only absolute values are cached (date math depends on `now`); the cache is
 * cleared when it grows past a bound so a long benchmark cannot grow it without limit.
 */
const dateCache = new Map<string, number | undefined>();

function documentDate(value: unknown, now: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && !value.startsWith('now')) {
    if (dateCache.has(value)) return dateCache.get(value);
    if (dateCache.size > 200_000) dateCache.clear();
    let parsed: number | undefined;
    try {
      parsed = parseDate(value, now);
    } catch {
      parsed = undefined;
    }
    dateCache.set(value, parsed);
    return parsed;
  }
  try {
    return parseDate(value, now);
  } catch {
    return undefined;
  }
}
