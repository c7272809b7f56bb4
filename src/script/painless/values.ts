/**
 * Runtime values of the Painless subset.
 *
 * Representation (documented in README.md of this folder):
 * - Java Map = plain JS object (JSON object); List / array = JS array; Set = JS Set; String = string;
 *   boolean = boolean; null = null.
 * - Numbers: a JS number holding an integral value is an int/long; a non-integral JS number is a double.
 *   A double whose value happens to be integral (`10.0`, `0.5 + 0.5`, `(double) 5`) is boxed as JDouble so
 *   `10.0 / 4` stays 2.5. JSON numbers therefore read as long when integral (as Elasticsearch parses
 *   `hits.total.value`) and as double otherwise.
 * - Everything else the language can produce (dates, streams, optionals, lambdas…) extends Special.
 *   Special values and Sets never leak out: run() converts them back to JSON (see normalize.ts).
 */
import { ScriptRuntimeError } from '../types.ts';

/** Base of every non-JSON runtime value. `kind` selects its method table. */
export abstract class Special {
  abstract readonly kind: string;
  /** Java-style type name for error messages and toString. */
  abstract typeName(): string;
  abstract toJava(): string;
}

/** A double whose value is integral (non-integral doubles are plain JS numbers). */
export class JDouble extends Special {
  readonly kind = 'double';
  readonly v: number;
  constructor(v: number) {
    super();
    this.v = v;
  }
  typeName(): string { return 'Double'; }
  toJava(): string { return javaDouble(this.v); }
}

/** A Map.Entry from entrySet(); writes through setValue go to the map. */
export class JEntry extends Special {
  readonly kind = 'entry';
  readonly key: string;
  value: unknown;
  readonly map: Record<string, unknown> | null;
  constructor(key: string, value: unknown, map: Record<string, unknown> | null = null) {
    super();
    this.key = key;
    this.value = value;
    this.map = map;
  }
  typeName(): string { return 'Map.Entry'; }
  toJava(): string { return `${this.key}=${toJava(this.value)}`; }
}

/** A function value: a lambda, a method reference or a Comparator. */
export class JLambda extends Special {
  readonly kind = 'lambda';
  readonly fn: (args: unknown[]) => unknown;
  constructor(fn: (args: unknown[]) => unknown) {
    super();
    this.fn = fn;
  }
  typeName(): string { return 'Function'; }
  toJava(): string { return '<lambda>'; }
}

export function mkDouble(n: number): number | JDouble {
  return Number.isInteger(n) ? new JDouble(n) : n;
}

/** Numeric value of a Painless number, or undefined when `v` is not a number. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof JDouble) return v.v;
  return undefined;
}

export function isDouble(v: unknown): boolean {
  return v instanceof JDouble || (typeof v === 'number' && !Number.isInteger(v));
}

export function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** A Painless Map: a plain object (from JSON or built by the script). */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** True for values that may be stored in JSON as they are (no Special, no Set at the top). */
export function isJsonish(v: unknown): boolean {
  return typeof v !== 'object' || v === null || Array.isArray(v) || isMap(v);
}

export function rtError(message: string, budget = false): ScriptRuntimeError {
  return new ScriptRuntimeError(message, budget);
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return 'String';
    case 'boolean': return 'Boolean';
    case 'number': return !Number.isInteger(v) ? 'Double' : (v >= -2147483648 && v <= 2147483647 ? 'Integer' : 'Long');
  }
  if (Array.isArray(v)) return 'List';
  if (v instanceof Set) return 'Set';
  if (v instanceof Special) return v.typeName();
  return 'Map';
}

/** Java's Double.toString: `1.0`, `0.5`, `1.0E7`, `NaN`, `Infinity`. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(n) ? `${n}.0` : String(n);
  const [mant, exp] = n.toExponential().split('e') as [string, string];
  return `${mant.includes('.') ? mant : `${mant}.0`}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** Java's String.valueOf for any Painless value (used by `+` on strings and toString()). */
export function toJava(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': return String(v);
    case 'number': return Number.isInteger(v) ? String(v) : javaDouble(v);
  }
  if (Array.isArray(v)) return `[${v.map(toJava).join(', ')}]`;
  if (v instanceof Set) return `[${[...v].map(toJava).join(', ')}]`;
  if (v instanceof Special) return v.toJava();
  return `{${Object.entries(v as object).map(([k, x]) => `${k}=${toJava(x)}`).join(', ')}}`;
}

/** Map keys are strings (as in JSON); other keys are converted the way Java would print them. */
export function toKey(k: unknown): string {
  return typeof k === 'string' ? k : toJava(k);
}

/** Stores `v` under `k` without ever touching the prototype (`__proto__` becomes an own property). */
export function putKey(m: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
  else m[k] = v;
}

export function getKey(m: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(m, k) ? m[k] : null;
}

/** Painless `==`: value equality, numbers compared by value across int/long/double. */
export function equalsValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const na = num(a);
  if (na !== undefined) {
    const nb = num(b);
    return nb !== undefined && na === nb;
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalsValue(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Set) return b instanceof Set && a.size === b.size && [...a].every((x) => b.has(x));
  if (a instanceof Special) return b instanceof Special && specialEquals(a, b);
  if (!isMap(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && equalsValue((a as Record<string, unknown>)[k], b[k]));
}

function specialEquals(a: Special, b: Special): boolean {
  if (a.kind !== b.kind) return false;
  if (a instanceof JEntry && b instanceof JEntry) return a.key === b.key && equalsValue(a.value, b.value);
  const ea = a as unknown as { equalsSame?: (o: Special) => boolean };
  return typeof ea.equalsSame === 'function' ? ea.equalsSame(b) : false;
}
