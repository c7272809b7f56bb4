/** Assignment (`=`, `+=`…) and `++`/`--` on locals, map fields and list/map indexes. */
import type { Expr, Pos, TypeRef } from './ast.ts';
import { getField, getIndex, setField, setIndex } from './access.ts';
import type { Env } from './env.ts';
import { add, arith, bitwise, convert } from './ops.ts';
import { compileError, located, type Compiles, type Fn } from './rt.ts';
import type { Scope } from './scope.ts';
import { JDouble, mkDouble, rtError, typeName } from './values.ts';

type Combine = (env: Env, a: unknown, b: unknown) => unknown;

function combiner(op: string): Combine {
  const bin = op.slice(0, -1);
  if (bin === '+') return add;
  if (bin === '&' || bin === '|' || bin === '^') return (_e, a, b) => bitwise(bin, a, b);
  return (_e, a, b) => arith(bin, a, b);
}

/** `++`/`--` keep the operand's type: an int stays an int, a double stays a double. */
function step(v: unknown, d: number): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? v + d : mkDouble(v + d);
  if (v instanceof JDouble) return new JDouble(v.v + d);
  if (v === null) throw rtError('cannot increment a null value (NullPointerException)');
  throw rtError(`cannot increment [${typeName(v)}]`);
}

/** Reads, writes and a store coercion for one assignment target; obj/key are evaluated once. */
interface Place {
  prepare(env: Env): [unknown, unknown];
  get(env: Env, o: unknown, k: unknown): unknown;
  set(env: Env, o: unknown, k: unknown, v: unknown): void;
}

function place(c: Compiles, target: Expr, s: Scope, pos: Pos): Place {
  if (target.k === 'var') {
    const local = s.lookup(target.name);
    if (!local) throw compileError(`cannot assign to [${target.name}]`, pos);
    const slot = local.slot, type: TypeRef = local.type;
    const typed = type.name !== 'def';
    return {
      prepare: () => [null, null],
      get: (env) => env.slots[slot],
      set: typed ? (env, _o, _k, v) => { env.slots[slot] = convert(type, v, false); } : (env, _o, _k, v) => { env.slots[slot] = v; },
    };
  }
  if (target.k === 'field') {
    const obj = c.expr(target.obj, s), name = target.name;
    return {
      prepare: (env) => [obj(env), name],
      get: (env, o) => getField(env, o, name),
      set: (env, o, _k, v) => setField(env, o, name, v),
    };
  }
  if (target.k === 'index') {
    const obj = c.expr(target.obj, s), idx = c.expr(target.index, s);
    return {
      prepare: (env) => [obj(env), idx(env)],
      get: (_env, o, k) => getIndex(o, k),
      set: (env, o, k, v) => setIndex(env, o, k, v),
    };
  }
  throw compileError('invalid assignment target', pos);
}

export function compileAssign(c: Compiles, e: Extract<Expr, { k: 'assign' }>, s: Scope): Fn {
  const value = c.expr(e.value, s);
  const pos = e.pos;
  // Fast path: plain assignment to an untyped local.
  if (e.op === '=' && e.target.k === 'var') {
    const local = s.lookup(e.target.name);
    if (local && local.type.name === 'def') {
      const slot = local.slot;
      return (env) => (env.slots[slot] = value(env));
    }
  }
  const p = place(c, e.target, s, pos);
  // Java's compound assignment casts the result back to the variable's type: `int x = 5; x += 2.5` is 7.
  const varType = e.target.k === 'var' ? s.lookup(e.target.name)?.type : undefined;
  const narrow = varType && varType.name !== 'def' ? (v: unknown) => convert(varType, v, true) : (v: unknown) => v;
  const combine = e.op === '=' ? null : combiner(e.op);
  return (env) => {
    try {
      const [o, k] = p.prepare(env);
      const v = value(env);
      const r = combine ? narrow(combine(env, p.get(env, o, k), v)) : v;
      p.set(env, o, k, r);
      return r;
    } catch (err) {
      throw located(err, pos);
    }
  };
}

export function compileUpdate(c: Compiles, e: Extract<Expr, { k: 'update' }>, s: Scope): Fn {
  const d = e.op === '++' ? 1 : -1, prefix = e.prefix, pos = e.pos;
  if (e.target.k === 'var') {
    const local = s.lookup(e.target.name);
    if (local) {
      const slot = local.slot;
      const slow = (env: Env, v: unknown) => {
        try { env.slots[slot] = step(v, d); } catch (err) { throw located(err, pos); }
        return prefix ? env.slots[slot] : v;
      };
      return (env) => {
        const v = env.slots[slot];
        if (typeof v === 'number' && Number.isInteger(v)) {
          env.slots[slot] = v + d;
          return prefix ? v + d : v;
        }
        return slow(env, v);
      };
    }
  }
  const p = place(c, e.target, s, pos);
  return (env) => {
    try {
      const [o, k] = p.prepare(env);
      const old = p.get(env, o, k);
      const nv = step(old, d);
      p.set(env, o, k, nv);
      return prefix ? nv : old;
    } catch (err) {
      throw located(err, pos);
    }
  };
}
