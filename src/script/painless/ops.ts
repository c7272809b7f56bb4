/** Operators with Java semantics: integer vs floating arithmetic, string `+`, comparisons, casts. */
import type { Env } from './env.ts';
import type { TypeRef } from './ast.ts';
import { JDouble, JEntry, Special, equalsValue, isDouble, isInteger, isMap, mkDouble, num, rtError, toJava, typeName } from './values.ts';

function operands(op: string, a: unknown, b: unknown): [number, number, boolean] {
  const na = num(a), nb = num(b);
  if (na === undefined || nb === undefined) {
    if (a === null || b === null) throw rtError(`null value used with operator [${op}] (NullPointerException)`);
    throw rtError(`cannot apply [${op}] to types [${typeName(a)}] and [${typeName(b)}]`);
  }
  return [na, nb, isDouble(a) || isDouble(b)];
}

export function add(env: Env, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    return Number.isInteger(a) && Number.isInteger(b) ? r : mkDouble(r);
  }
  if (typeof a === 'string' || typeof b === 'string') {
    const s = toJava(a) + toJava(b);
    env.allocate(s.length);
    return s;
  }
  const [x, y, d] = operands('+', a, b);
  return d ? mkDouble(x + y) : x + y;
}

export function arith(op: string, a: unknown, b: unknown): unknown {
  const [x, y, d] = operands(op, a, b);
  switch (op) {
    case '-': return d ? mkDouble(x - y) : x - y;
    case '*': return d ? mkDouble(x * y) : x * y;
    case '/':
      if (d) return mkDouble(x / y);
      if (y === 0) throw rtError('/ by zero (ArithmeticException)');
      return Math.trunc(x / y) || 0;
    case '%':
      if (d) return mkDouble(x % y);
      if (y === 0) throw rtError('/ by zero (ArithmeticException)');
      return x % y || 0;
  }
  // Bitwise and shift operators: integers only, as in Java.
  if (d) throw rtError(`cannot apply [${op}] to a double`);
  if (Math.abs(x) > 0x7fffffff || Math.abs(y) > 0x7fffffff) throw rtError(`[${op}] is only supported on int values`);
  switch (op) {
    case '&': return x & y;
    case '|': return x | y;
    case '^': return x ^ y;
    case '<<': return x << y;
    case '>>': return x >> y;
    case '>>>': return x >>> y;
  }
  throw rtError(`unknown operator [${op}]`);
}

/** `&`, `|`, `^` are also non-short-circuit boolean operators. */
export function bitwise(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    return op === '&' ? a && b : op === '|' ? a || b : a !== b;
  }
  return arith(op, a, b);
}

export function compare(op: string, a: unknown, b: unknown): boolean {
  let x: number, y: number;
  if (typeof a === 'number' && typeof b === 'number') { x = a; y = b; }
  else [x, y] = operands(op, a, b);
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

export function eq(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return equalsValue(a, b);
}

export function negate(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? -v || 0 : -v;
  if (v instanceof JDouble) return new JDouble(-v.v);
  throw rtError(`cannot negate [${typeName(v)}]`);
}

export function truthy(v: unknown, what: string): boolean {
  if (v === true) return true;
  if (v === false) return false;
  throw rtError(`${what} must be a boolean, got [${typeName(v)}]`);
}

const INT_TYPES = new Set(['int', 'short', 'byte', 'Integer', 'Short', 'Byte']);
const LONG_TYPES = new Set(['long', 'Long']);
const DOUBLE_TYPES = new Set(['double', 'float', 'Double', 'Float']);
const PRIMITIVES = new Set(['int', 'short', 'byte', 'long', 'double', 'float', 'boolean']);

/** `instanceof`: does `v` belong to `type`? */
export function isType(type: TypeRef, v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (type.array) return Array.isArray(v);
  const t = type.name;
  if (INT_TYPES.has(t)) return isInteger(v) && v >= -2147483648 && v <= 2147483647;
  if (LONG_TYPES.has(t)) return isInteger(v);
  if (DOUBLE_TYPES.has(t)) return isDouble(v);
  switch (t) {
    case 'def': case 'Object': return true;
    case 'Number': return num(v) !== undefined;
    case 'String': case 'CharSequence': return typeof v === 'string';
    case 'boolean': case 'Boolean': return typeof v === 'boolean';
    case 'List': case 'ArrayList': case 'LinkedList': return Array.isArray(v);
    case 'Map': case 'HashMap': case 'LinkedHashMap': return isMap(v);
    case 'Set': case 'HashSet': case 'LinkedHashSet': return v instanceof Set;
    case 'Collection': case 'Iterable': return Array.isArray(v) || v instanceof Set;
    case 'Map.Entry': return v instanceof JEntry;
  }
  return v instanceof Special && v.typeName() === t;
}

/**
 * Converts `v` for a cast `(type) v` (explicit: doubles may narrow to integers) or for an assignment
 * to a typed local (implicit: a double never narrows silently, as in Java).
 */
export function convert(type: TypeRef, v: unknown, explicit: boolean): unknown {
  const t = type.name;
  if (t === 'def' || t === 'Object') return v;
  if (v === null || v === undefined) {
    if (PRIMITIVES.has(t) && !type.array) throw rtError(`cannot cast null to [${t}]`);
    return null;
  }
  if (!type.array) {
    const isInt = INT_TYPES.has(t);
    if (isInt || LONG_TYPES.has(t)) {
      const n = num(v);
      if (n === undefined) throw castError(v, t);
      if (Number.isInteger(n) && !(v instanceof JDouble)) return n;
      if (!explicit) throw castError(v, t);
      if (Number.isNaN(n)) return 0;
      const lim = isInt ? 2147483648 : 9223372036854775807;
      return Math.max(-lim, Math.min(isInt ? lim - 1 : lim, Math.trunc(n))) || 0;
    }
    if (DOUBLE_TYPES.has(t)) {
      const n = num(v);
      if (n === undefined) throw castError(v, t);
      return mkDouble(n);
    }
  }
  if (isType(type, v)) return v;
  throw castError(v, t);
}

function castError(v: unknown, t: string) {
  return rtError(`cannot cast [${typeName(v)}] to [${t}]`);
}
