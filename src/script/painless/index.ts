/**
 * The Painless-subset ScriptEngine. `compile` parses and compiles once (syntax errors and constructs
 * outside the subset throw ScriptCompileError with line/column); `run` evaluates with fresh per-run
 * state and budgets and returns plain JSON. See README.md in this folder for the subset.
 */
import { ScriptRuntimeError, type CompiledScript, type ScriptContext, type ScriptEngine } from '../types.ts';
import { Compiler } from './compile-stmt.ts';
import { DEFAULT_BUDGET, Env, type Budget } from './env.ts';
import { parseDate } from './lib/dates.ts';
import { toJson } from './normalize.ts';
import { parse } from './parser.ts';
import { isMap } from './values.ts';

export type { Budget } from './env.ts';
export { DEFAULT_BUDGET } from './env.ts';

const TRIGGER_TIMES = ['scheduled_time', 'triggered_time', 'previous_scheduled_time', 'next_scheduled_time'];

/** Context date strings become ZonedDateTime values; anything that is not an ISO timestamp stays as it is. */
function wrapDate(v: unknown): unknown {
  return typeof v === 'string' ? (parseDate(v) ?? v) : v;
}

function wrapTrigger(t: unknown): unknown {
  if (!isMap(t)) return t ?? null;
  const out: Record<string, unknown> = { ...t };
  for (const k of TRIGGER_TIMES) if (Object.hasOwn(out, k)) out[k] = wrapDate(out[k]);
  return out;
}

/** Builds the slot values of the context variables the script uses (unused ones stay null: no work). */
function contextSlots(env: Env, ctx: ScriptContext, used: ReadonlySet<string>): void {
  const s = env.slots;
  s[0] = ctx.data ?? null;
  if (used.size === 0) return;
  if (used.has('watch')) s[1] = ctx.watch ?? null;
  if (used.has('trigger')) s[2] = wrapTrigger(ctx.trigger);
  if (used.has('execution_time')) s[3] = wrapDate(ctx.execution_time);
  if (used.has('severity')) s[4] = ctx.severity ?? null;
  if (used.has('resolved')) {
    const r = ctx.resolved;
    s[5] = r ? { ...r, trigger: wrapTrigger(r.trigger) } : null;
  }
  if (used.has('item')) s[6] = ctx.item === undefined ? null : ctx.item;
}

/** Compiles with explicit budgets (the engine uses DEFAULT_BUDGET). */
export function compilePainless(source: string, budget: Budget = DEFAULT_BUDGET): CompiledScript {
  const compiler = new Compiler();
  const body = compiler.program(parse(source));
  const slotCount = compiler.frame.slots;
  const used = new Set([...compiler.frame.used].filter((n) => n !== 'data'));
  return {
    lang: 'painless',
    source,
    run(ctx: ScriptContext): unknown {
      const env = new Env(slotCount, budget);
      try {
        contextSlots(env, ctx, used);
        body(env);
        const r = env.ret;
        if (env.boxed) {
          // A boxed double, date or Set may sit inside data or the result: convert them back to JSON.
          toJson(ctx.data);
          if (ctx.item !== undefined) toJson(ctx.item);
          return toJson(r);
        }
        return typeof r === 'object' && r !== null && !Array.isArray(r) && !isMap(r) ? toJson(r) : r;
      } catch (e) {
        if (e instanceof ScriptRuntimeError) throw e;
        if (e instanceof RangeError) throw new ScriptRuntimeError('script recursed too deeply', true);
        // Never let a host error (with its host stack) out of the sandbox.
        throw new ScriptRuntimeError(`internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

export const painlessEngine: ScriptEngine = {
  lang: 'painless',
  compile: (source: string) => compilePainless(source),
};
