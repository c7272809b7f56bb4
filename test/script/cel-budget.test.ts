/** CEL budgets: macro work, created values and time are bounded; `matches` runs on RE2. */
import { describe, expect, it } from 'vitest';
import { celEngine, compileCel } from '../../src/script/cel.ts';
import { DEFAULT_CEL_BUDGET } from '../../src/script/cel-budget.ts';
import type { ScriptContext } from '../../src/script/types.ts';
import { ScriptCompileError, ScriptRuntimeError } from '../../src/script/types.ts';
import type { Limits } from '../../src/budget/meter.ts';
import { cpuMs } from '../kit/cpu-time.ts';

function context(data: Record<string, unknown>): ScriptContext {
  return {
    data,
    watch: { id: 'w', tenant: '_main' },
    trigger: { scheduled_time: null, triggered_time: null, previous_scheduled_time: null, next_scheduled_time: null },
    execution_time: '2024-05-01T10:00:00.000Z',
    severity: null,
  };
}

const items = Array.from({ length: 300 }, (_, i) => i);
const NESTED_ALL = 'data.items.all(a, data.items.all(b, data.items.all(c, a + b + c >= 0.0)))';

/** Only the step and allocation limits count: the clock never moves. */
const noClock = (l: Partial<Limits>): Limits => ({ ...DEFAULT_CEL_BUDGET, maxMillis: 1, now: () => 0, ...l });

function budgetFailure(run: () => unknown): ScriptRuntimeError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptRuntimeError);
    return e as ScriptRuntimeError;
  }
  throw new Error('expected a budget failure');
}

/** A chain of `cel.bind` that doubles `init` n times and gives the size of the result. */
function doubling(init: string, n: number): string {
  let expr = `size(v${n - 1})`;
  for (let i = n - 1; i >= 1; i--) expr = `cel.bind(v${i}, v${i - 1} + v${i - 1}, ${expr})`;
  return `cel.bind(v0, ${init}, ${expr})`;
}

describe('CEL cost budget', () => {
  it('stops nested macros over 300 items on the cost budget, with SCRIPT_BUDGET_EXCEEDED', () => {
    const script = compileCel(NESTED_ALL, noClock({}));
    const e = budgetFailure(() => script.run(context({ items })));
    expect(e.budget).toBe(true);
    expect(e.code).toBe('SCRIPT_BUDGET_EXCEEDED');
    expect(e.message).toMatch(/budget of 1000000 cost units/);
  });

  it('counts each iteration at the size of the expression it evaluates', () => {
    // 10 iterations of `x > 0.0` inside a ternary (ternary, >, x, 0.0, true, false: 6 nodes).
    const list = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(compileCel('data.l.all(x, x > 0.0)', noClock({ maxSteps: 60 })).run(context({ l: list }))).toBe(true);
    expect(() => compileCel('data.l.all(x, x > 0.0)', noClock({ maxSteps: 59 })).run(context({ l: list }))).toThrow(/59 cost units/);
  });

  it('a budget error is not absorbed by || or exists', () => {
    const src = `data.items.exists(a, data.items.exists(b, data.items.exists(c, a + b + c < 0.0))) || true`;
    const e = budgetFailure(() => compileCel(src, noClock({})).run(context({ items })));
    expect(e.budget).toBe(true);
  });

  it('stops on the wall-clock backstop when the steps are slow', () => {
    let t = 0;
    // Every clock read moves time on by 1 ms: the 5 ms limit runs out long before the cost budget.
    const script = compileCel(NESTED_ALL, { maxSteps: 1e12, maxAlloc: 1e12, maxMillis: 5, now: () => t++ });
    const e = budgetFailure(() => script.run(context({ items })));
    expect(e.message).toMatch(/time budget of 5 ms/);
    expect(t).toBeLessThan(10);
  });

  it('stops doubling strings and lists before they are built', () => {
    const str = budgetFailure(() => celEngine.compile(doubling('"aaaaaaaaaa"', 40)).run(context({})));
    expect(str.message).toMatch(/created characters/);
    const list = budgetFailure(() => compileCel(doubling('[1, 2, 3, 4, 5, 6, 7, 8]', 40), noClock({})).run(context({})));
    expect(list.budget).toBe(true);
    // The last list was refused before it was copied: nothing near the limit was ever made.
    expect(list.message).toMatch(/cost units|created/);
  });

  it('counts what operators and functions scan: a chain of `in` over a big list stops', () => {
    const list = Array.from({ length: 100_000 }, (_, i) => i);
    const chain = Array.from({ length: 200 }, (_, i) => `!(${i}.5 in data.list)`).join(' && ');
    const e = budgetFailure(() => compileCel(chain, noClock({})).run(context({ list })));
    expect(e.message).toMatch(/1000000 cost units/);
    // 100 000 elements a scan: ten scans fit, eleven do not.
    const scans = (n: number) => Array.from({ length: n }, (_, i) => `!(${i}.5 in data.list)`).join(' && ');
    expect(compileCel(scans(9), noClock({})).run(context({ list }))).toBe(true);
    expect(() => compileCel(scans(11), noClock({})).run(context({ list }))).toThrow(/cost units/);
    // Strings: a unit per 16 characters read.
    const big = 'x'.repeat(1_600_000);
    const contains = (n: number) => Array.from({ length: n }, (_, i) => `!data.big.contains("y${i}")`).join(' && ');
    expect(compileCel(contains(9), noClock({})).run(context({ big }))).toBe(true);
    expect(() => compileCel(contains(11), noClock({})).run(context({ big }))).toThrow(/cost units/);
  });

  it('counts a value made by one call and read by another both ways', () => {
    // data.big read by lowerAscii (100), its result made (1 + 100) and read by contains (100), contains (1).
    const src = 'data.big.lowerAscii().contains("y")';
    const data = { big: 'x'.repeat(1600) };
    expect(compileCel(src, noClock({ maxSteps: 310 })).run(context(data))).toBe(false);
    expect(() => compileCel(src, noClock({ maxSteps: 290 })).run(context(data))).toThrow(/290 cost units/);
  });

  it('with the default budgets, hostile expressions stop within 100 ms of CPU time', () => {
    for (const src of [NESTED_ALL, doubling('[1, 2, 3, 4, 5, 6, 7, 8]', 40), doubling('"aaaaaaaaaa"', 40)]) {
      const script = celEngine.compile(src);
      expect(() => script.run(context({ items }))).toThrow(ScriptRuntimeError);
      expect(cpuMs(() => script.run(context({ items })))).toBeLessThan(100);
    }
  });

  it('leaves ordinary expressions alone: 10 000 hits through a filter, a map and a join', () => {
    const hits = Array.from({ length: 10_000 }, (_, i) => ({ _source: { host: `h${i}`, cpu: i % 100, tags: ['prod', 'eu'] } }));
    const src = `data.hits.filter(h, h._source.cpu > 90.0 && "prod" in h._source.tags).map(h, h._source.host).join(",").size() > 0
      && data.hits.exists(h, h._source.host.startsWith("h99"))`;
    expect(compileCel(src, noClock({})).run(context({ hits }))).toBe(true);
  });
});

describe('CEL matches on RE2', () => {
  it('runs a catastrophic pattern in linear time', () => {
    const script = celEngine.compile('data.s.matches("^(a|a)*$")');
    const spent = cpuMs(() => {
      expect(script.run(context({ s: `${'a'.repeat(32)}!` }))).toBe(false);
      expect(script.run(context({ s: `${'a'.repeat(100_000)}!` }))).toBe(false);
      expect(script.run(context({ s: 'a'.repeat(1000) }))).toBe(true);
    });
    expect(spent).toBeLessThan(500);
  });

  it('refuses a literal pattern RE2 cannot run when the watch loads, with its position', () => {
    let err: unknown;
    try {
      celEngine.compile('data.s.size() > 1 &&\n  data.s.matches("(?=a)b")');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScriptCompileError);
    expect((err as ScriptCompileError).message).toMatch(/invalid regular expression.*\(\?=/);
    expect([(err as ScriptCompileError).line, (err as ScriptCompileError).column]).toEqual([2, 18]);
    expect(() => celEngine.compile('data.s.matches("(")')).toThrow(ScriptCompileError);
  });

  it('a pattern from data is checked when it runs', () => {
    const e = budgetFailure(() => celEngine.compile('data.s.matches(data.p)').run(context({ s: 'ab', p: '(a)\\1' })));
    expect(e.budget).toBe(false);
    expect(e.message).toMatch(/invalid regular expression/);
    expect(celEngine.compile('data.s.matches(data.p)').run(context({ s: 'disk-42', p: '^[a-z]+-\\d+$' }))).toBe(true);
  });

  it('charges the input before matching', () => {
    const script = compileCel('data.s.matches("b")', noClock({ maxSteps: 1000 }));
    expect(script.run(context({ s: 'a'.repeat(400) }))).toBe(false);
    expect(() => script.run(context({ s: 'a'.repeat(600) }))).toThrow(/1000 cost units/);
  });
});

describe('CEL results', () => {
  it('a __proto__ key in a result stays a key', () => {
    const data = JSON.parse('{"o": {"__proto__": {"x": 1}, "y": 2}}') as Record<string, unknown>;
    const out = celEngine.compile('data.o').run(context(data)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1},"y":2}');
  });
});
