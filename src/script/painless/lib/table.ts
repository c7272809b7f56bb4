/** Method tables: one per receiver type, looked up by name; arity is checked before the call. */
import type { Env } from '../env.ts';
import { JLambda, num, rtError, typeName } from '../values.ts';

// `self` is typed `any` so each table can name its receiver type without casts at every entry.
export type Method = (env: Env, self: any, args: unknown[]) => unknown;
export interface MethodDef { min: number; max: number; fn: Method }
export type Table = Map<string, MethodDef>;

/** Builds a table from `{name: [minArgs, maxArgs, fn]}`. A Map, so `constructor` or `__proto__` never resolve. */
export function table(defs: Record<string, readonly [number, number, Method]>): Table {
  const t: Table = new Map();
  for (const [name, [min, max, fn]] of Object.entries(defs)) t.set(name, { min, max, fn });
  return t;
}

/** Every method name any table knows; the compiler rejects calls to other names at load time. */
export const KNOWN_METHODS = new Set<string>();
export function register(...tables: Table[]): void {
  for (const t of tables) for (const k of t.keys()) KNOWN_METHODS.add(k);
}

export function argNum(v: unknown, what: string): number {
  const n = num(v);
  if (n === undefined) throw rtError(`${what} expects a number, got [${typeName(v)}]`);
  return n;
}

export function argInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw rtError(`${what} expects an int, got [${typeName(v)}]`);
  return v;
}

export function argStr(v: unknown, what: string): string {
  if (typeof v !== 'string') throw rtError(`${what} expects a String, got [${typeName(v)}]`);
  return v;
}

export function argFn(v: unknown, what: string): JLambda {
  if (!(v instanceof JLambda)) throw rtError(`${what} expects a lambda or method reference, got [${typeName(v)}]`);
  return v;
}

/** Calls a script function, charging one step. */
export function invoke(env: Env, f: JLambda, ...args: unknown[]): unknown {
  env.step();
  return f.fn(args);
}

/** Calls a predicate; Java requires it to return a boolean. */
export function test(env: Env, f: JLambda, x: unknown): boolean {
  env.step();
  const r = f.fn([x]);
  if (typeof r !== 'boolean') throw rtError(`predicate must return a boolean, got [${typeName(r)}]`);
  return r;
}
