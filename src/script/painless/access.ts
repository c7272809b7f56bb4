/**
 * Field and index access. `map.key` / `map['key']` read and write the map (missing key reads null);
 * `list[i]` / `array[i]` index a list, with negative indexes counting from the end as Painless' brace
 * access does (`list[-1]` is the last element) and out-of-range indexes failing as in Java;
 * `list.length` is the size; `obj.foo` on other values calls the getter `getFoo()`.
 */
import type { Env } from './env.ts';
import { getterShortcut } from './lib/dispatch.ts';
import { JDouble, Special, isMap, putKey, rtError, toKey, typeName } from './values.ts';
import { stored } from './lib/collections.ts';

export function getField(env: Env, o: unknown, name: string): unknown {
  if (isMap(o)) {
    const v = Object.hasOwn(o, name) ? o[name] : null;
    return v === undefined ? null : v;
  }
  if (o === null || o === undefined) throw rtError(`cannot access field [${name}] of a null value (NullPointerException)`);
  if (Array.isArray(o)) {
    if (name === 'length') return o.length;
    throw rtError(`no field [${name}] on type [List]; use [index] or get()`);
  }
  if (o instanceof Special || o instanceof JDouble) return getterShortcut(env, o, name);
  throw rtError(`no field [${name}] on type [${typeName(o)}]`);
}

export function setField(env: Env, o: unknown, name: string, v: unknown): void {
  if (isMap(o)) {
    if (!Object.hasOwn(o, name)) env.allocate(1);
    putKey(o, name, stored(env, v));
    return;
  }
  if (o === null || o === undefined) throw rtError(`cannot set field [${name}] of a null value (NullPointerException)`);
  throw rtError(`cannot set field [${name}] on type [${typeName(o)}]`);
}

function listIndex(list: unknown[], i: unknown): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw rtError(`list index must be an int, got [${typeName(i)}]`);
  const n = i < 0 ? i + list.length : i;
  if (n < 0 || n >= list.length) throw rtError(`index ${i} out of bounds for length ${list.length} (IndexOutOfBoundsException)`);
  return n;
}

export function getIndex(o: unknown, i: unknown): unknown {
  if (Array.isArray(o)) return o[listIndex(o, i)] ?? null;
  if (isMap(o)) {
    const k = toKey(i);
    const v = Object.hasOwn(o, k) ? o[k] : null;
    return v === undefined ? null : v;
  }
  if (o === null || o === undefined) throw rtError('cannot index a null value (NullPointerException)');
  throw rtError(`cannot index type [${typeName(o)}]`);
}

export function setIndex(env: Env, o: unknown, i: unknown, v: unknown): void {
  if (Array.isArray(o)) {
    o[listIndex(o, i)] = stored(env, v);
    return;
  }
  if (isMap(o)) {
    const k = toKey(i);
    if (!Object.hasOwn(o, k)) env.allocate(1);
    putKey(o, k, stored(env, v));
    return;
  }
  if (o === null || o === undefined) throw rtError('cannot index a null value (NullPointerException)');
  throw rtError(`cannot index type [${typeName(o)}]`);
}
