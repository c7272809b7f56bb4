/**
 * CEL scripts on `@marcbachmann/cel-js`: parsed and type-checked once when the watch loads,
 * evaluated per run against the ScriptContext.
 *
 * Numbers: JSON gives JavaScript numbers, which CEL sees as `double`, while CEL literals like `10` are
 * `int` (BigInt) — and CEL has no `int + double`. The library has no option for that, so the one
 * environment below registers mixed int/double overloads for `+ - * / %` (result: double) and
 * `int == double`; ordering comparisons across int/double are built in. So `data.x * 2 + 1.5`,
 * `data.a / 2` (2.5 for 5) and `1 == 1.0` work, while pure-int arithmetic keeps CEL's rules
 * (`7 / 2` is 3; overflow and `1 / 0` are runtime errors). `%` on doubles is allowed too (CEL has
 * none), because JSON counters arrive as doubles and `data.count % 2 == 0` must work.
 *
 * Results are converted back to plain JSON values (see toPlain), since a `transform` result goes into
 * `data` and on to templates, the watch log and Elasticsearch.
 *
 * CEL cannot loop, but nested macros over large lists can still take long (n^k): besides the parse-time
 * structure limits below, every evaluation runs on a budget (cel-budget.ts), and `matches` runs on RE2.
 */
import { Environment, EvaluationError, Optional, ParseError } from '@marcbachmann/cel-js';
import type { ParseResult } from '@marcbachmann/cel-js';
import { errorMessage } from '../errors.ts';
import { Meter, type Limits } from '../budget/meter.ts';
import { DEFAULT_CEL_BUDGET, budgetError, instrument, metered } from './cel-budget.ts';
import { RegexError } from './regex.ts';
import type { CompiledScript, ScriptContext, ScriptEngine } from './types.ts';
import { ScriptCompileError, ScriptRuntimeError } from './types.ts';

type Arith = (a: number, b: number) => number;
const ARITHMETIC: Record<string, Arith> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

function createEnvironment(): Environment {
  const env = new Environment({
    // `[1, "a"]` and `{"n": 1, "s": "x"}` are ordinary in watches built around JSON.
    homogeneousAggregateLiterals: false,
    // `data.?hits.?total.orValue(0)`: absent fields are common in search responses.
    enableOptionalTypes: true,
    // Watch conditions are short; these keep a hostile or generated expression from costing much to parse.
    limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
  })
    .registerVariable('data', 'map')
    .registerVariable('watch', 'map')
    .registerVariable('trigger', 'map')
    .registerVariable('execution_time', 'string')
    // Nullable or any-shaped: severity is null without a severity config, item is any list element.
    .registerVariable('severity', 'dyn')
    .registerVariable('resolved', 'dyn')
    .registerVariable('item', 'dyn');

  for (const [op, f] of Object.entries(ARITHMETIC)) {
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => f(Number(a), b));
    env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => f(a, Number(b)));
  }
  env.registerOperator('double % double: double', (a: number, b: number) => a % b);
  // Registering `==` also gives `!=` and the reversed operand order.
  env.registerOperator('int == double', (a: bigint, b: number) => Number(a) === b);
  return env;
}

const env = createEnvironment();

/** 1-based line and column of a character offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, source.length));
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

interface CelError {
  summary?: string;
  range?: { start: number; end: number };
  message: string;
}

function summaryOf(e: CelError): string {
  // `message` carries a source excerpt with a caret for humans; the summary is the one-line cause.
  return e.summary ?? e.message.split('\n')[0] ?? 'error';
}

function compileError(source: string, e: CelError): ScriptCompileError {
  const { line, column } = lineColumn(source, e.range?.start ?? 0);
  return new ScriptCompileError(summaryOf(e), line, column);
}

function runtimeError(source: string, e: unknown): ScriptRuntimeError {
  if (e instanceof ScriptRuntimeError) return e;
  if (e instanceof EvaluationError) {
    const { line, column } = lineColumn(source, e.range?.start ?? 0);
    return new ScriptRuntimeError(`${summaryOf(e)} (line ${line}, column ${column})`);
  }
  // Anything else (e.g. a stack overflow on a pathological value) is still a script failure.
  return new ScriptRuntimeError(`CEL evaluation failed: ${errorMessage(e)}`);
}

/**
 * A CEL result as plain JSON data: int/uint become numbers, timestamps ISO strings, durations
 * `"<seconds>s"` (CEL's own text form), bytes base64, optionals their value (or null), types their name.
 */
export function toPlain(v: unknown): unknown {
  switch (typeof v) {
    case 'bigint':
      return Number(v);
    case 'object':
      break;
    default:
      return v;
  }
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof Optional) return v.hasValue() ? toPlain(v.value()) : null;
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of v) setOwn(out, String(k), toPlain(val));
    return out;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    // Library value classes not exported by the package: uint (valueOf is a BigInt), Duration and
    // Type (`Type<int>`, given as the bare name as CEL prints it).
    const prim = (v as { valueOf(): unknown }).valueOf();
    if (typeof prim === 'bigint') return Number(prim);
    const text = String(v);
    return /^Type<(.+)>$/.exec(text)?.[1] ?? text;
  }
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) setOwn(out, k, toPlain(val));
  return out;
}

/** `out[k] = v`, except that a `__proto__` key (JSON.parse makes those) stays an ordinary key. */
function setOwn(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  else out[k] = v;
}

class CelScript implements CompiledScript {
  readonly lang = 'cel' as const;
  readonly source: string;
  readonly #program: ParseResult;
  /** Reused by every run (runs never overlap: evaluation is synchronous). */
  readonly #meter: Meter;

  constructor(source: string, program: ParseResult, budget: Limits) {
    this.source = source;
    this.#program = program;
    this.#meter = new Meter(budget, (what) => budgetError(budget, what));
  }

  run(ctx: ScriptContext): unknown {
    let result: unknown;
    const meter = this.#meter;
    meter.reset();
    try {
      result = metered(meter, () =>
        this.#program({
          data: ctx.data,
          watch: ctx.watch,
          trigger: ctx.trigger,
          execution_time: ctx.execution_time,
          severity: ctx.severity ?? null,
          resolved: ctx.resolved ?? null,
          item: ctx.item ?? null,
        }),
      );
    } catch (e) {
      throw runtimeError(this.source, meter.failed ?? e);
    }
    // `||`, `&&`, `all` and `exists` absorb errors when another operand decides the result; a budget
    // that ran out is not such an error.
    if (meter.failed) throw meter.failed;
    // Conditions return booleans: skip the conversion walk on the hot path.
    return typeof result === 'boolean' ? result : toPlain(result);
  }
}

/**
 * Compiles with explicit budgets (the engine uses DEFAULT_CEL_BUDGET): parses, type-checks and
 * instruments, throwing ScriptCompileError with line and column.
 */
export function compileCel(source: string, budget: Limits = DEFAULT_CEL_BUDGET): CompiledScript {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ScriptCompileError('empty CEL expression', 1, 1);
  }
  let program: ParseResult;
  try {
    program = env.parse(source);
  } catch (e) {
    if (e instanceof ParseError) throw compileError(source, e);
    throw new ScriptCompileError(`CEL parse failed: ${errorMessage(e)}`, 1, 1);
  }
  // The type check finds unknown functions and variables and impossible operand types at load time
  // rather than at the first run; values from `data` are `dyn`, so it never rejects a valid watch
  // for lack of a schema.
  const checked = program.check();
  if (!checked.valid) {
    throw checked.error ? compileError(source, checked.error) : new ScriptCompileError('CEL type check failed', 1, 1);
  }
  try {
    instrument(program.ast as unknown as Parameters<typeof instrument>[0]);
  } catch (e) {
    if (!(e instanceof RegexError)) throw e;
    const { line, column } = lineColumn(source, (e as RegexError & { offset?: number }).offset ?? 0);
    throw new ScriptCompileError(e.message, line, column);
  }
  return new CelScript(source, program, budget);
}

/** The CEL engine: `compile` parses, type-checks and instruments, throwing ScriptCompileError with line and column. */
export const celEngine: ScriptEngine = {
  lang: 'cel',
  compile: (source: string) => compileCel(source),
};
