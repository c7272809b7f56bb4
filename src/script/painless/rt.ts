/** Shared compile/runtime plumbing: closure types, control-flow signals and error positioning. */
import { ScriptCompileError, ScriptRuntimeError } from '../types.ts';
import type { Expr, Pos, TypeRef } from './ast.ts';
import type { Scope } from './scope.ts';
import type { Env } from './env.ts';

export type Fn = (env: Env) => unknown;
/** A compiled statement returns how control leaves it. */
export type StmtFn = (env: Env) => number;
export const NORMAL = 0, BREAK = 1, CONTINUE = 2, RETURN = 3;
export const DEF: TypeRef = { name: 'def', array: false };

const positioned = new WeakSet<object>();

/** Adds the source position to a runtime error the first time it passes a node that knows it. */
export function located(e: unknown, pos: Pos): unknown {
  if (e instanceof ScriptRuntimeError) {
    if (positioned.has(e)) return e;
    const r = new ScriptRuntimeError(`${e.message} (line ${pos.line}, column ${pos.col})`, e.budget);
    positioned.add(r);
    return r;
  }
  // A stack overflow can only come from a script calling a lambda through itself.
  if (e instanceof RangeError) return located(new ScriptRuntimeError('script recursed too deeply', true), pos);
  return e;
}

export function compileError(msg: string, pos: Pos, construct?: string): ScriptCompileError {
  return new ScriptCompileError(msg, pos.line, pos.col, construct);
}

/** What compile-assign.ts needs from the compiler (an interface, so there is no import cycle). */
export interface Compiles {
  expr(e: Expr, s: Scope): Fn;
}
