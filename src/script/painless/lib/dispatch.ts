/** Method dispatch on the receiver's runtime type, and Painless' getter shortcut (`entry.key` → getKey()). */
import type { Env } from '../env.ts';
import { JDouble, Special, rtError, typeName } from '../values.ts';
import { ENTRY_METHODS, LIST_METHODS, MAP_METHODS, SET_METHODS } from './collections.ts';
import { DATE_METHODS, DURATION_METHODS, ENUM_METHODS, INSTANT_METHODS, ZONE_METHODS } from './dates.ts';
import { OPTIONAL_METHODS, STREAM_METHODS } from './stream.ts';
import { BOOLEAN_METHODS, NUMBER_METHODS, OBJECT_METHODS, STRING_METHODS } from './strings.ts';
import { invoke, register, table, type Table } from './table.ts';
import { JLambda } from '../values.ts';

/** Functional-interface methods on a lambda value: `f.apply(x)`, `cmp.reversed()`… */
const LAMBDA_METHODS: Table = table({
  apply: [0, 3, (env, f: JLambda, a) => invoke(env, f, ...a)],
  test: [1, 2, (env, f: JLambda, a) => invoke(env, f, ...a)],
  accept: [1, 2, (env, f: JLambda, a) => { invoke(env, f, ...a); return null; }],
  compare: [2, 2, (env, f: JLambda, a) => invoke(env, f, ...a)],
  get: [0, 0, (env, f: JLambda) => invoke(env, f)],
  reversed: [0, 0, (env, f: JLambda) => new JLambda((a) => invoke(env, f, a[1], a[0]))],
  thenComparing: [1, 1, (env, f: JLambda, a) => {
    const g = a[0];
    if (!(g instanceof JLambda)) throw rtError('thenComparing expects a comparator or key function');
    return new JLambda((x) => {
      const r = invoke(env, f, x[0], x[1]);
      if (r !== 0) return r;
      return invoke(env, g, x[0], x[1]);
    });
  }],
});

const BY_KIND = new Map<string, Table>([
  ['double', NUMBER_METHODS], ['entry', ENTRY_METHODS], ['lambda', LAMBDA_METHODS], ['stream', STREAM_METHODS],
  ['optional', OPTIONAL_METHODS], ['date', DATE_METHODS], ['instant', INSTANT_METHODS], ['enum', ENUM_METHODS],
  ['duration', DURATION_METHODS], ['zone', ZONE_METHODS], ['collector', new Map()],
]);

register(LAMBDA_METHODS, ENTRY_METHODS, LIST_METHODS, MAP_METHODS, SET_METHODS, DATE_METHODS, DURATION_METHODS,
  ENUM_METHODS, INSTANT_METHODS, ZONE_METHODS, OPTIONAL_METHODS, STREAM_METHODS, BOOLEAN_METHODS, NUMBER_METHODS,
  OBJECT_METHODS, STRING_METHODS);

export function tableOf(recv: unknown): Table | undefined {
  switch (typeof recv) {
    case 'string': return STRING_METHODS;
    case 'number': return NUMBER_METHODS;
    case 'boolean': return BOOLEAN_METHODS;
  }
  if (Array.isArray(recv)) return LIST_METHODS;
  if (recv instanceof Set) return SET_METHODS;
  if (recv instanceof Special) return BY_KIND.get(recv.kind);
  return MAP_METHODS;
}

export function callMethod(env: Env, recv: unknown, name: string, args: unknown[]): unknown {
  if (recv === null || recv === undefined) throw rtError(`cannot call [${name}] on a null value (NullPointerException)`);
  const m = tableOf(recv)?.get(name) ?? OBJECT_METHODS.get(name);
  if (m === undefined || args.length < m.min || args.length > m.max) {
    throw rtError(`unknown method [${name}] with [${args.length}] arguments for type [${typeName(recv)}]`);
  }
  return m.fn(env, recv, args);
}

/** `x.foo` on a non-map object means `x.getFoo()` (or `x.isFoo()`), as in Painless. */
export function getterShortcut(env: Env, recv: Special | JDouble, name: string): unknown {
  const t = tableOf(recv);
  const cap = name.charAt(0).toUpperCase() + name.slice(1);
  const getter = t?.get(`get${cap}`) ?? t?.get(`is${cap}`);
  if (getter === undefined || getter.min > 0) throw rtError(`no field [${name}] on type [${typeName(recv)}]`);
  return getter.fn(env, recv, []);
}
