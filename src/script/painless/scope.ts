/** Compile-time scopes: every local gets a fixed slot in Env.slots, so a variable read is an array load. */
import { ScriptCompileError } from '../types.ts';
import type { Pos, TypeRef } from './ast.ts';

/** Context variables occupy the first slots, in this order. */
export const CONTEXT_VARS = ['data', 'watch', 'trigger', 'execution_time', 'severity', 'resolved', 'item'] as const;

export interface Local { slot: number; type: TypeRef }

/** Shared by all scopes of one script: hands out slots and records which context variables are used. */
export class Frame {
  slots = CONTEXT_VARS.length;
  readonly used = new Set<string>();
}

export class Scope {
  private readonly vars = new Map<string, Local>();
  readonly frame: Frame;
  private readonly parent: Scope | null;

  constructor(frame: Frame, parent: Scope | null) {
    this.frame = frame;
    this.parent = parent;
  }

  child(): Scope {
    return new Scope(this.frame, this);
  }

  lookup(name: string): Local | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  declare(name: string, type: TypeRef, pos: Pos): Local {
    // As in Java, a local may not shadow another local; it may shadow a context variable (`item`).
    if (this.lookup(name)) {
      throw new ScriptCompileError(`variable [${name}] is already defined`, pos.line, pos.col);
    }
    const local = { slot: this.frame.slots++, type };
    this.vars.set(name, local);
    return local;
  }
}
