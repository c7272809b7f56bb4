/**
 * Bounds on one CEL evaluation. CEL cannot loop, but macros nest (`all`, `exists`, `map`, `filter` over
 * lists from `data`), `+` can double a string or a list inside `cel.bind`, and `matches` takes a regex.
 * The library has no hook for any of that, so after the type check we instrument the expression tree
 * once:
 * - every iteration of a comprehension costs the size (in nodes) of the expression it evaluates, a
 *   static estimate of its work, as Kubernetes' CEL cost model does;
 * - the operands of `+` and the results of function calls count their length (string, list, bytes) as
 *   created, and what functions and comparisons (`in`, `==`, `<`…) are given counts as scanned;
 * - `matches` runs on RE2 (linear time), costing the length of its input; a literal pattern is checked
 *   when the watch loads.
 * A wall-clock limit is the backstop. Whichever limit runs out throws a ScriptRuntimeError with
 * `budget: true` (SCRIPT_BUDGET_EXCEEDED).
 *
 * The tree's shape (`op`, `args`, `meta.alternate` for expanded macros, `meta.macro`, comprehension
 * args) is the library's internal one; cel.test.ts covers every construct instrumented here.
 */
import { Meter, type Exhausted, type Limits } from '../budget/meter.ts';
import { compileRegex, RegexError } from './regex.ts';
import { ScriptRuntimeError } from './types.ts';

/** Defaults: a hostile expression stops within about 25 ms; ordinary conditions are far below. */
export const DEFAULT_CEL_BUDGET: Limits = {
  // Comprehension iterations × their expression size: 10 000 hits checked by a 50-node predicate is 500 000.
  maxSteps: 1_000_000,
  // Characters and elements made by `+` and functions.
  maxAlloc: 5_000_000,
  maxMillis: 25,
};

type EvalFn = (ev: unknown, ast: CelNode, ctx: unknown) => unknown;

/** The parts of cel-js's ASTNode used here. */
interface CelNode {
  op: string;
  args: unknown;
  start: number;
  readonly meta: { evaluate: EvalFn; alternate?: CelNode; macro?: Record<string, unknown> };
  evaluate: EvalFn;
}

/** The meter of the evaluation running now. Evaluation is synchronous and never nests, so one slot does. */
let current: Meter | null = null;

/** Runs `fn` with `meter` counting the instrumented work. */
export function metered<T>(meter: Meter, fn: () => T): T {
  const previous = current;
  current = meter;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

export function budgetError(limits: Limits, what: Exhausted): ScriptRuntimeError {
  switch (what) {
    case 'steps':
      return new ScriptRuntimeError(
        `CEL expression exceeded its budget of ${limits.maxSteps} cost units (macro iterations × their size, values scanned and made)`,
        true,
      );
    case 'alloc':
      return new ScriptRuntimeError(`CEL expression exceeded its budget of ${limits.maxAlloc} created characters/list elements`, true);
    case 'time':
      return new ScriptRuntimeError(`CEL expression exceeded its time budget of ${limits.maxMillis} ms`, true);
  }
}

/** Visits every node `root` evaluates (directly or through an expanded macro) once. */
function eachNode(root: CelNode, NodeClass: Function, visit: (n: CelNode) => void): void {
  const seen = new Set<CelNode>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!(v instanceof NodeClass) || seen.has(v as CelNode)) return;
    const n = v as CelNode;
    seen.add(n);
    visit(n);
    const m = n.meta;
    if (m.alternate) walk(m.alternate);
    if (m.macro) {
      walk(m.macro.args);
      walk(m.macro.val);
      walk(m.macro.exp);
      walk(m.macro.macroHasProps);
    }
    if (n.op === 'comprehension') {
      const a = n.args as { iterable: unknown; init: unknown; step: unknown };
      walk(a.iterable);
      walk(a.init);
      walk(a.step);
    } else if (n.op !== 'value' && n.op !== 'id') {
      walk(n.args);
    }
  };
  walk(root);
}

/** Nodes this file has wrapped; a second wrapper goes around the first. */
const wrapped = new WeakSet<CelNode>();

/** Makes `wrap(current evaluator)` the node's evaluator. */
function wrap(n: CelNode, around: (inner: EvalFn) => EvalFn): void {
  const inner = wrapped.has(n) ? n.evaluate : baseEvaluate(n);
  n.evaluate = around(inner);
  wrapped.add(n);
}

/** The evaluator a node would use: its own, or that of the macro expansion standing in for it. */
function baseEvaluate(n: CelNode): EvalFn {
  const { alternate, macro } = n.meta;
  if (alternate) return (ev, _ast, ctx) => alternate.evaluate(ev, alternate, ctx);
  if (macro) return (ev, _ast, ctx) => (macro.evaluate as EvalFn)(ev, macro as unknown as CelNode, ctx);
  return n.meta.evaluate;
}

/**
 * Counts a value given to an operator or function: scanning it costs time (`x in list`, `==` on lists,
 * `contains` on strings). A list element costs one unit, sixteen characters one.
 */
function consume(meter: Meter, v: unknown): void {
  if (typeof v === 'string') meter.step(v.length >>> 4);
  else if (Array.isArray(v)) meter.step(v.length);
}

/** Operators whose operands are scanned whole (ordering and equality compare lists and strings element by element). */
const SCANNING_OPERATORS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in']);

/**
 * Counts a value as created. Work units: a list element costs about four (copying arrays of values is
 * slow and churns the heap), sixteen string characters or bytes cost one (they are copied as blocks).
 */
function charge(meter: Meter, v: unknown): void {
  if (typeof v === 'string' || v instanceof Uint8Array) {
    if (v.length < 16) return;
    meter.allocate(v.length);
    meter.step(v.length >>> 4);
  } else if (Array.isArray(v) && v.length > 0) {
    meter.allocate(v.length);
    meter.step(v.length * 4);
  }
}

/** The evaluator's entry point for a sub-expression. */
type Evaluator = { run(ast: CelNode, ctx: unknown): unknown };

function regexTest(input: string, pattern: string): boolean {
  // The input is charged before matching: one RE2 call cannot be interrupted, so it must be affordable.
  // RE2 takes up to about two units' time a character (its slowest path, the NFA).
  current?.step(input.length * 2);
  let re;
  try {
    re = compileRegex(pattern);
  } catch (e) {
    throw new ScriptRuntimeError(e instanceof RegexError ? e.message : String(e));
  }
  const result = re.test(input);
  current?.checkTime();
  return result;
}

/**
 * Instruments a parsed and type-checked expression (see the file comment). Throws RegexError for a
 * literal `matches` pattern that RE2 refuses, with the offset of the pattern.
 */
export function instrument(root: CelNode): void {
  const NodeClass = root.constructor;
  const charged = new Set<CelNode>();
  /** Wraps `n` so that the size of each value it gives is counted as created. */
  const chargeResult = (n: CelNode) => {
    if (charged.has(n)) return;
    charged.add(n);
    wrap(n, (base) => (ev, ast, ctx) => {
      const v = base(ev, ast, ctx);
      if (current) {
        current.step();
        charge(current, v);
      }
      return v;
    });
  };
  const consumed = new Set<CelNode>();
  /** Wraps `n` so that each value it gives is counted as scanned by the operator or function it goes to. */
  const chargeConsumed = (n: CelNode) => {
    if (n.op === 'value' || consumed.has(n)) return;
    consumed.add(n);
    wrap(n, (base) => (ev, ast, ctx) => {
      const v = base(ev, ast, ctx);
      if (current) consume(current, v);
      return v;
    });
  };
  eachNode(root, NodeClass, (n) => {
    if (n.meta.alternate || n.meta.macro) return;
    if (n.op === 'comprehension') {
      const step = (n.args as { step: CelNode }).step;
      let cost = 0;
      eachNode(step, NodeClass, () => cost++);
      wrap(step, (base) => (ev, ast, ctx) => {
        current?.step(cost);
        return base(ev, ast, ctx);
      });
    } else if (n.op === '+') {
      // Charged before the concatenation, through its operands: a list doubled inside `cel.bind` stops
      // before it is copied, not after.
      for (const operand of n.args as CelNode[]) chargeResult(operand);
    } else if (n.op === 'rcall' && (n.args as unknown[])[0] === 'matches') {
      instrumentMatches(n);
    } else if (n.op === 'call' || n.op === 'rcall') {
      // A function makes at most a few times what it was given (join, split, lowerAscii…), and reads what
      // it is given.
      chargeResult(n);
      const args = n.args as unknown[];
      for (const a of (n.op === 'rcall' ? [args[1], ...(args[2] as CelNode[])] : (args[1] as CelNode[])) as CelNode[]) chargeConsumed(a);
    } else if (SCANNING_OPERATORS.has(n.op)) {
      for (const operand of n.args as CelNode[]) chargeConsumed(operand);
    }
  });
}

/** `s.matches(p)` on RE2; other operand types go to the library's own overload resolution (and its error). */
function instrumentMatches(n: CelNode): void {
  const [, receiver, args] = n.args as [string, CelNode, CelNode[]];
  const pattern = args[0];
  if (args.length !== 1 || !pattern) return;
  if (pattern.op === 'value' && typeof pattern.args === 'string') {
    try {
      compileRegex(pattern.args);
    } catch (e) {
      throw Object.assign(e as Error, { offset: pattern.start });
    }
  }
  wrap(n, (base) => (ev, ast, ctx) => {
    const s = (ev as Evaluator).run(receiver, ctx);
    const p = (ev as Evaluator).run(pattern, ctx);
    if (typeof s === 'string' && typeof p === 'string') return regexTest(s, p);
    return base(ev, ast, ctx);
  });
}
