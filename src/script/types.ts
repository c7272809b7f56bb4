import { VigilError } from '../errors.ts';

/**
 * One interface for every script language (CEL, the Painless subset). Scripts are compiled once when a
 * watch is loaded; a compile error carries the position so `vigil validate` can point at it.
 */

export type ScriptLang = 'cel' | 'painless';

/**
 * What a script sees. All values are plain JSON data (objects, arrays, strings, numbers,
 * booleans, null): no host objects, no prototypes worth reaching. Times are ISO-8601 strings.
 */
export interface ScriptContext {
  data: Record<string, unknown>;
  watch: { id: string; tenant: string };
  trigger: {
    scheduled_time: string | null;
    triggered_time: string | null;
    previous_scheduled_time: string | null;
    next_scheduled_time: string | null;
  };
  execution_time: string;
  severity: SeverityView | null;
  resolved?: { data: unknown; severity: SeverityView | null; trigger: unknown } | undefined;
  item?: unknown;
}

export interface SeverityView {
  level: { id: string; name: string; level: number };
  value: number | null;
  threshold: number | null;
}

export interface CompiledScript {
  readonly lang: ScriptLang;
  readonly source: string;
  /**
   * Runs the script. `calc` scripts mutate `ctx.data` in place; the caller passes a context it owns.
   * Throws ScriptRuntimeError (never a raw host error) on failure or when a budget runs out.
   */
  run(ctx: ScriptContext): unknown;
}

export interface ScriptEngine {
  readonly lang: ScriptLang;
  /** Throws ScriptCompileError with line/column. */
  compile(source: string): CompiledScript;
}

export class ScriptCompileError extends Error {
  readonly line: number;
  readonly column: number;
  readonly construct: string | undefined;
  constructor(message: string, line: number, column: number, construct?: string) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'ScriptCompileError';
    this.line = line;
    this.column = column;
    this.construct = construct;
  }
}

/** A script failed while running: `SCRIPT_BUDGET_EXCEEDED` when a budget ran out, else `SCRIPT_ERROR`. */
export class ScriptRuntimeError extends VigilError {
  /** True when the step or memory budget ran out, as opposed to an error in the script's logic. */
  readonly budget: boolean;
  constructor(message: string, budget = false) {
    super(budget ? 'SCRIPT_BUDGET_EXCEEDED' : 'SCRIPT_ERROR', message);
    this.name = 'ScriptRuntimeError';
    this.budget = budget;
  }
}
