/**
 * Compiles expressions to closures `(env) => value`. Hot paths (map field reads, integer arithmetic and
 * numeric comparisons) are inlined; everything else goes through ops.ts / access.ts / the library.
 * Statements are compiled by compile-stmt.ts, which extends this class.
 */
import type { Expr, Pos, Stmt } from './ast.ts';
import { getField, getIndex } from './access.ts';
import { compileAssign, compileUpdate } from './compile-assign.ts';
import type { Env } from './env.ts';
import { callMethod } from './lib/dispatch.ts';
import { STATICS } from './lib/statics.ts';
import { KNOWN_METHODS } from './lib/table.ts';
import { TYPE_NAMES } from './names.ts';
import { add, arith, bitwise, compare, convert, eq, isType, negate, truthy } from './ops.ts';
import { DEF, RETURN, compileError, located, type Compiles, type Fn, type StmtFn } from './rt.ts';
import { CONTEXT_VARS, type Scope } from './scope.ts';
import { JLambda, isJsonish, isMap, mkDouble, num, putKey, rtError, toKey, typeName } from './values.ts';

export abstract class ExprCompiler implements Compiles {
  /** Loop nesting of the function being compiled; `break` outside a loop is a compile error. */
  protected loops = 0;
  protected abstract block(body: Stmt[], scope: Scope): StmtFn;

  /** A static class name that is not shadowed by a local, or undefined. */
  private staticClass(e: Expr, s: Scope) {
    return e.k === 'var' && !s.lookup(e.name) && !(CONTEXT_VARS as readonly string[]).includes(e.name) ? STATICS.get(e.name) : undefined;
  }

  expr(e: Expr, s: Scope): Fn {
    switch (e.k) {
      case 'num': { const v = e.isFloat ? mkDouble(e.value) : e.value; return () => v; }
      case 'str': case 'bool': { const v = e.value; return () => v; }
      case 'null': return () => null;
      case 'class': throw compileError(`class [${e.name}] cannot be used as a value`, e.pos);
      case 'var': return this.variable(e.name, e.pos, s);
      case 'field': return this.field(e, s);
      case 'index': {
        const o = this.expr(e.obj, s), i = this.expr(e.index, s), pos = e.pos;
        return (env) => {
          try { return getIndex(o(env), i(env)); } catch (err) { throw located(err, pos); }
        };
      }
      case 'call': return this.call(e, s);
      case 'new': return this.construct(e.type, e.args.map((a) => this.expr(a, s)), e.pos);
      case 'newArray': {
        const size = this.expr(e.size, s), pos = e.pos;
        const init = ['int', 'long', 'short', 'byte'].includes(e.type) ? 0 : e.type === 'boolean' ? false : null;
        const dbl = e.type === 'double' || e.type === 'float';
        return (env) => {
          const n = size(env);
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw located(rtError(`invalid array size [${String(n)}]`), pos);
          try { env.allocate(n); } catch (err) { throw located(err, pos); }
          return dbl ? Array.from({ length: n }, () => mkDouble(0)) : new Array(n).fill(init);
        };
      }
      case 'list': {
        const items = e.items.map((x) => this.expr(x, s));
        return (env) => {
          env.allocate(items.length);
          const out = items.map((f) => f(env));
          if (!out.every(isJsonish)) env.boxed = true;
          return out;
        };
      }
      case 'map': {
        const entries = e.entries.map(([k, v]) => [this.expr(k, s), this.expr(v, s)] as const);
        return (env) => {
          env.allocate(entries.length);
          const m: Record<string, unknown> = {};
          for (const [k, v] of entries) {
            const val = v(env);
            if (!isJsonish(val)) env.boxed = true;
            putKey(m, toKey(k(env)), val);
          }
          return m;
        };
      }
      case 'unary': return this.unary(e.op, this.expr(e.arg, s), e.pos);
      case 'binary': return this.binary(e.op, this.expr(e.left, s), this.expr(e.right, s), e.pos);
      case 'logical': {
        const l = this.expr(e.left, s), r = this.expr(e.right, s), pos = e.pos;
        const t = (v: unknown) => { try { return truthy(v, `operand of [${e.op}]`); } catch (err) { throw located(err, pos); } };
        return e.op === '&&' ? (env) => t(l(env)) && t(r(env)) : (env) => t(l(env)) || t(r(env));
      }
      case 'elvis': {
        const l = this.expr(e.left, s), r = this.expr(e.right, s);
        return (env) => l(env) ?? r(env);
      }
      case 'cond': {
        const c = this.expr(e.test, s), a = this.expr(e.then, s), b = this.expr(e.else, s), pos = e.pos;
        return (env) => {
          const v = c(env);
          if (v === true) return a(env);
          if (v === false) return b(env);
          throw located(rtError(`condition must be a boolean, got [${typeName(v)}]`), pos);
        };
      }
      case 'assign': return compileAssign(this, e, s);
      case 'update': return compileUpdate(this, e, s);
      case 'instanceof': { const a = this.expr(e.arg, s), t = e.type; return (env) => isType(t, a(env)); }
      case 'cast': {
        const a = this.expr(e.arg, s), t = e.type, pos = e.pos;
        return (env) => { try { return convert(t, a(env), true); } catch (err) { throw located(err, pos); } };
      }
      case 'lambda': return this.lambda(e.params, e.body, e.pos, s);
      case 'methodRef': return this.methodRef(e.owner, e.name, e.pos, s);
    }
  }

  variable(name: string, pos: Pos, s: Scope): Fn {
    const local = s.lookup(name);
    const ctx = (CONTEXT_VARS as readonly string[]).indexOf(name);
    const slot = local ? local.slot : ctx;
    if (slot < 0) {
      if (STATICS.has(name) || TYPE_NAMES.has(name)) throw compileError(`class [${name}] cannot be used as a value`, pos);
      throw compileError(`unknown variable [${name}]`, pos, `variable ${name}`);
    }
    if (!local) s.frame.used.add(name);
    return (env) => env.slots[slot];
  }

  private field(e: Extract<Expr, { k: 'field' }>, s: Scope): Fn {
    const st = this.staticClass(e.obj, s);
    if (st) {
      if (!st.fields.has(e.name)) throw compileError(`unknown static field [${(e.obj as { name: string }).name}.${e.name}]`, e.pos);
      const v = st.fields.get(e.name);
      return () => v;
    }
    const o = this.expr(e.obj, s), name = e.name, pos = e.pos, safe = e.safe;
    const slow = (env: Env, obj: unknown) => {
      if (safe && obj === null) return null;
      try { return getField(env, obj, name); } catch (err) { throw located(err, pos); }
    };
    if (name === '__proto__') return (env) => slow(env, o(env));
    // Fast path for JSON objects. Inherited Object.prototype members are all functions and JSON values
    // never are, so a function value means "not an own key" without a second (hasOwn) lookup.
    return (env) => {
      const obj = o(env);
      if (typeof obj === 'object' && obj !== null && Object.getPrototypeOf(obj) === Object.prototype) {
        const v = (obj as Record<string, unknown>)[name];
        return v === undefined || typeof v === 'function' ? null : v;
      }
      return slow(env, obj);
    };
  }

  private call(e: Extract<Expr, { k: 'call' }>, s: Scope): Fn {
    const args = e.args.map((a) => this.expr(a, s));
    const pos = e.pos, name = e.name;
    const st = this.staticClass(e.obj, s);
    if (st) {
      const m = st.methods.get(name);
      const owner = (e.obj as { name: string }).name;
      if (!m) throw compileError(`unknown static method [${owner}.${name}]`, pos, `method ${owner}.${name}`);
      if (args.length < m.min || args.length > m.max) {
        throw compileError(`[${owner}.${name}] does not take ${args.length} arguments`, pos);
      }
      return (env) => {
        const vals = args.map((a) => a(env));
        try { return m.fn(env, vals); } catch (err) { throw located(err, pos); }
      };
    }
    const o = this.expr(e.obj, s), safe = e.safe;
    if (!KNOWN_METHODS.has(name)) throw compileError(`unknown method [${name}]`, pos, `method ${name}`);
    const a0 = args[0], a1 = args[1];
    const evalArgs: (env: Env) => unknown[] = args.length === 0 ? () => []
      : args.length === 1 ? (env) => [a0!(env)]
      : args.length === 2 ? (env) => [a0!(env), a1!(env)]
      : (env) => args.map((a) => a(env));
    return (env) => {
      const recv = o(env);
      if (safe && recv === null) return null;
      const vals = evalArgs(env);
      try { return callMethod(env, recv, name, vals); } catch (err) { throw located(err, pos); }
    };
  }

  private construct(type: string, args: Fn[], pos: Pos): Fn {
    if (args.length > 1) throw compileError(`new ${type} takes at most one argument`, pos);
    const arg = args[0];
    const isList = type === 'ArrayList' || type === 'LinkedList';
    const isSet = type === 'HashSet' || type === 'LinkedHashSet';
    return (env) => {
      const a = arg ? arg(env) : undefined;
      try {
        const items = a === undefined || typeof a === 'number' ? [] : Array.isArray(a) || a instanceof Set ? [...a] : null;
        if (isList || isSet) {
          if (!items) throw rtError(`new ${type} expects a collection or a capacity, got [${typeName(a)}]`);
          env.allocate(items.length);
          if (isSet) env.boxed = true;
          return isSet ? new Set(items) : items;
        }
        if (a !== undefined && typeof a !== 'number' && !isMap(a)) throw rtError(`new ${type} expects a map, got [${typeName(a)}]`);
        const m: Record<string, unknown> = {};
        if (isMap(a)) for (const [k, v] of Object.entries(a)) putKey(m, k, v);
        env.allocate(Object.keys(m).length);
        return m;
      } catch (err) {
        throw located(err, pos);
      }
    };
  }

  private unary(op: string, a: Fn, pos: Pos): Fn {
    const guard = (f: (v: unknown) => unknown): Fn => (env) => { try { return f(a(env)); } catch (err) { throw located(err, pos); } };
    switch (op) {
      case '!': return guard((v) => !truthy(v, 'operand of [!]'));
      case '-': return guard(negate);
      case '+': return guard((v) => { if (num(v) === undefined) throw rtError(`cannot apply [+] to [${typeName(v)}]`); return v; });
      default: return guard((v) => arith('^', v, -1));
    }
  }

  private binary(op: string, l: Fn, r: Fn, pos: Pos): Fn {
    const slow = (f: (a: unknown, b: unknown) => unknown) => (a: unknown, b: unknown) => {
      try { return f(a, b); } catch (err) { throw located(err, pos); }
    };
    switch (op) {
      case '+': {
        return (env) => {
          const a = l(env), b = r(env);
          if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) return a + b;
          try { return add(env, a, b); } catch (err) { throw located(err, pos); }
        };
      }
      case '-': case '*': case '/': case '%': {
        const f = slow((a, b) => arith(op, a, b));
        if (op === '-') return (env) => { const a = l(env), b = r(env); return typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b) ? a - b : f(a, b); };
        if (op === '*') return (env) => { const a = l(env), b = r(env); return typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b) ? a * b : f(a, b); };
        return (env) => f(l(env), r(env));
      }
      case '<': case '<=': case '>': case '>=': {
        const f = slow((a, b) => compare(op, a, b));
        if (op === '<') return (env) => { const a = l(env), b = r(env); return typeof a === 'number' && typeof b === 'number' ? a < b : f(a, b); };
        if (op === '<=') return (env) => { const a = l(env), b = r(env); return typeof a === 'number' && typeof b === 'number' ? a <= b : f(a, b); };
        if (op === '>') return (env) => { const a = l(env), b = r(env); return typeof a === 'number' && typeof b === 'number' ? a > b : f(a, b); };
        return (env) => { const a = l(env), b = r(env); return typeof a === 'number' && typeof b === 'number' ? a >= b : f(a, b); };
      }
      case '==': return (env) => eq(l(env), r(env));
      case '!=': return (env) => !eq(l(env), r(env));
      case '===': return (env) => l(env) === r(env);
      case '!==': return (env) => l(env) !== r(env);
      case '&': case '|': case '^': { const f = slow((a, b) => bitwise(op, a, b)); return (env) => f(l(env), r(env)); }
      default: { const f = slow((a, b) => arith(op, a, b)); return (env) => f(l(env), r(env)); }
    }
  }

  private lambda(params: string[], body: Expr | Stmt[], pos: Pos, s: Scope): Fn {
    const inner = s.child();
    const slots = params.map((p) => inner.declare(p, DEF, pos).slot);
    const n = slots.length;
    const savedLoops = this.loops;
    this.loops = 0;
    const run: Fn = Array.isArray(body)
      ? ((blk) => (env: Env) => {
          if (blk(env) !== RETURN) return null;
          const r = env.ret;
          env.ret = null;
          return r;
        })(this.block(body, inner))
      : this.expr(body, inner);
    this.loops = savedLoops;
    return (env) => new JLambda((args) => {
      if (args.length !== n) throw located(rtError(`lambda takes ${n} arguments but was called with ${args.length}`), pos);
      for (let i = 0; i < n; i++) env.slots[slots[i]!] = args[i];
      return run(env);
    });
  }

  private methodRef(owner: string, name: string, pos: Pos, s: Scope): Fn {
    const st = !s.lookup(owner) ? STATICS.get(owner) : undefined;
    const m = st?.methods.get(name);
    if (m) return (env) => new JLambda((args) => m.fn(env, args));
    if (!KNOWN_METHODS.has(name)) throw compileError(`unknown method [${name}]`, pos, `method ${name}`);
    if (TYPE_NAMES.has(owner) || st) {
      return (env) => new JLambda((args) => callMethod(env, args[0], name, args.slice(1)));
    }
    const recv = this.variable(owner, pos, s);
    return (env) => { const r = recv(env); return new JLambda((args) => callMethod(env, r, name, args)); };
  }
}
