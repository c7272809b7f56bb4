/**
 * Converts what a script produced back to plain JSON: boxed doubles become numbers, dates ISO-8601
 * strings, Sets arrays, enum constants their names. Containers are converted in place, so a `calc`
 * script's writes into `data` stay visible to the caller.
 */
import { JDate, JDuration, JEnum, JInstant, JZone } from './lib/dates.ts';
import { JOptional, JStream } from './lib/stream.ts';
import { JDouble, JEntry, Special, putKey, rtError, toJava } from './values.ts';

export function toJson(v: unknown, seen: Set<object> = new Set()): unknown {
  if (typeof v !== 'object' || v === null) return v === undefined ? null : v;
  if (v instanceof Special) {
    if (v instanceof JDouble) return v.v;
    if (v instanceof JDate || v instanceof JInstant || v instanceof JZone || v instanceof JEnum) return toJava(v);
    if (v instanceof JDuration) return v.ms;
    if (v instanceof JEntry) return { [v.key]: toJson(v.value, seen) };
    if (v instanceof JOptional) return v.present ? toJson(v.value, seen) : null;
    if (v instanceof JStream) return toJson(v.items.slice(), seen);
    return toJava(v);
  }
  if (seen.has(v)) throw rtError('script produced a cyclic structure');
  seen.add(v);
  if (v instanceof Set) {
    const out = [...v].map((x) => toJson(x, seen));
    seen.delete(v);
    return out;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = toJson(v[i], seen);
  } else {
    const m = v as Record<string, unknown>;
    for (const k of Object.keys(m)) {
      const x = m[k];
      if (typeof x === 'object' && x !== null) putKey(m, k, toJson(x, seen));
      else if (x === undefined) m[k] = null;
    }
  }
  seen.delete(v);
  return v;
}
