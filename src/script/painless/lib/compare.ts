/** Natural ordering (Comparable) and comparator plumbing shared by List.sort, streams and Collections. */
import type { Env } from '../env.ts';
import { JLambda, num, rtError, typeName } from '../values.ts';
import { JDate, JEnum, JInstant } from './dates.ts';
import { argFn, argNum } from './table.ts';

export function naturalCompare(a: unknown, b: unknown): number {
  const x = num(a), y = num(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if ((a instanceof JDate || a instanceof JInstant) && (b instanceof JDate || b instanceof JInstant)) return Math.sign(a.ms - b.ms);
  if (a instanceof JEnum && b instanceof JEnum && a.type === b.type) return a.ordinal - b.ordinal;
  if (a === null || b === null) throw rtError('cannot compare null (NullPointerException)');
  throw rtError(`cannot compare [${typeName(a)}] with [${typeName(b)}]`);
}

/** A JS comparator from a Painless Comparator (or natural order for null), charging a step per comparison. */
export function comparator(env: Env, c: unknown): (a: unknown, b: unknown) => number {
  if (c === null || c === undefined) return (a, b) => { env.step(); return naturalCompare(a, b); };
  const f = argFn(c, 'sort');
  return (a, b) => { env.step(); return Math.sign(argNum(f.fn([a, b]), 'comparator')); };
}

/** Sorts in place; Java's sort is stable, and so is Array.prototype.sort. */
export function sortList(env: Env, list: unknown[], c: unknown): void {
  env.step(list.length);
  list.sort(comparator(env, c));
}

export const naturalOrder = (): JLambda => new JLambda((a) => naturalCompare(a[0], a[1]));
export const reverseOrder = (): JLambda => new JLambda((a) => naturalCompare(a[1], a[0]));
export function comparing(env: Env, key: unknown): JLambda {
  const f = argFn(key, 'Comparator.comparing');
  return new JLambda((a) => { env.step(2); return naturalCompare(f.fn([a[0]]), f.fn([a[1]])); });
}
