/** Compiles statements to closures returning a control-flow signal (NORMAL, BREAK, CONTINUE, RETURN). */
import type { Expr, Stmt, TypeRef } from './ast.ts';
import { ExprCompiler } from './compile-expr.ts';
import type { Env } from './env.ts';
import { convert } from './ops.ts';
import { BREAK, CONTINUE, NORMAL, RETURN, compileError, located, type Fn, type StmtFn } from './rt.ts';
import { Frame, Scope } from './scope.ts';
import { JDouble, isMap, rtError, typeName } from './values.ts';

/** The value a typed local holds before its first assignment (Java's defaults; `def` and objects are null). */
function defaultOf(t: TypeRef): () => unknown {
  if (t.array) return () => null;
  switch (t.name) {
    case 'int': case 'long': case 'short': case 'byte': return () => 0;
    case 'double': case 'float': return () => new JDouble(0);
    case 'boolean': return () => false;
    default: return () => null;
  }
}

function test(f: Fn, what: string, pos: Stmt['pos']): (env: Env) => boolean {
  return (env) => {
    const v = f(env);
    if (v === true) return true;
    if (v === false) return false;
    throw located(rtError(`${what} condition must be a boolean, got [${typeName(v)}]`), pos);
  };
}

function iterable(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  if (v === null) throw rtError('cannot iterate over a null value (NullPointerException)');
  if (isMap(v)) throw rtError('cannot iterate over a Map; use keySet(), values() or entrySet()');
  throw rtError(`cannot iterate over [${typeName(v)}]`);
}

export class Compiler extends ExprCompiler {
  readonly frame = new Frame();

  /** The whole script: a trailing expression statement is the script's value, as in Painless. */
  program(body: Stmt[]): StmtFn {
    const scope = new Scope(this.frame, null);
    const last = body[body.length - 1];
    if (last && last.k === 'expr') body = [...body.slice(0, -1), { k: 'return', pos: last.pos, value: last.expr }];
    return this.block(body, scope);
  }

  protected block(body: Stmt[], scope: Scope): StmtFn {
    const fns = body.map((st) => this.stmt(st, scope));
    if (fns.length === 1) return fns[0]!;
    return (env) => {
      for (let i = 0; i < fns.length; i++) {
        const sig = fns[i]!(env);
        if (sig !== NORMAL) return sig;
      }
      return NORMAL;
    };
  }

  private loop(body: Stmt, scope: Scope): StmtFn {
    this.loops++;
    try {
      return this.stmt(body, scope);
    } finally {
      this.loops--;
    }
  }

  private stmt(st: Stmt, s: Scope): StmtFn {
    switch (st.k) {
      case 'empty': return () => NORMAL;
      case 'expr': { const f = this.expr(st.expr, s); return (env) => { f(env); return NORMAL; }; }
      case 'block': return this.block(st.body, s.child());
      case 'decl': {
        const inits = st.vars.map((v) => {
          const init: Fn = v.init ? this.initWith(st.type, v.init, s) : defaultOf(st.type);
          const slot = s.declare(v.name, st.type, v.pos).slot;
          return { slot, init, pos: v.pos };
        });
        return (env) => {
          for (const v of inits) env.slots[v.slot] = v.init(env);
          return NORMAL;
        };
      }
      case 'if': {
        const t = test(this.expr(st.test, s), 'if', st.pos), a = this.stmt(st.then, s.child());
        const b = st.else ? this.stmt(st.else, s.child()) : null;
        return b ? (env) => (t(env) ? a(env) : b(env)) : (env) => (t(env) ? a(env) : NORMAL);
      }
      case 'while': case 'do': {
        const t = test(this.expr(st.test, s), 'while', st.pos), body = this.loop(st.body, s.child());
        const first = st.k === 'do';
        return (env) => {
          for (let go = first || t(env); go; go = t(env)) {
            env.step();
            const sig = body(env);
            if (sig === BREAK) break;
            if (sig === RETURN) return RETURN;
          }
          return NORMAL;
        };
      }
      case 'for': {
        const inner = s.child();
        const init = st.init ? this.stmt(st.init, inner) : null;
        const t = st.test ? test(this.expr(st.test, inner), 'for', st.pos) : () => true;
        const updates = st.update.map((u) => this.expr(u, inner));
        const body = this.loop(st.body, inner.child());
        return (env) => {
          if (init) init(env);
          for (; t(env); ) {
            env.step();
            const sig = body(env);
            if (sig === BREAK) break;
            if (sig === RETURN) return RETURN;
            for (const u of updates) u(env);
          }
          return NORMAL;
        };
      }
      case 'foreach': {
        const iter = this.expr(st.iter, s), pos = st.pos;
        const inner = s.child();
        const type = st.type;
        const slot = inner.declare(st.name, type, pos).slot;
        const body = this.loop(st.body, inner);
        const typed = type.name !== 'def';
        return (env) => {
          let items: unknown[];
          try { items = iterable(iter(env)); } catch (err) { throw located(err, pos); }
          // Index loop over the live list: additions during the loop are visited (the budget bounds them).
          for (let i = 0; i < items.length; i++) {
            env.step();
            try { env.slots[slot] = typed ? convert(type, items[i], false) : items[i]; } catch (err) { throw located(err, pos); }
            const sig = body(env);
            if (sig === BREAK) break;
            if (sig === RETURN) return RETURN;
          }
          return NORMAL;
        };
      }
      case 'break': case 'continue':
        if (this.loops === 0) throw compileError(`${st.k} outside of a loop`, st.pos);
        return st.k === 'break' ? () => BREAK : () => CONTINUE;
      case 'return': {
        const v = st.value ? this.expr(st.value, s) : () => null;
        return (env) => { env.ret = v(env); return RETURN; };
      }
    }
  }

  private initWith(type: TypeRef, init: Expr, s: Scope): Fn {
    const f = this.expr(init, s);
    if (type.name === 'def') return f;
    const pos = init.pos;
    return (env) => { try { return convert(type, f(env), false); } catch (err) { throw located(err, pos); } };
  }
}
