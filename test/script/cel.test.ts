import { describe, expect, it } from 'vitest';
import { celEngine, lineColumn, toPlain } from '../../src/script/cel.ts';
import { createScriptCompiler } from '../../src/script/index.ts';
import type { ScriptContext } from '../../src/script/types.ts';
import { ScriptCompileError, ScriptRuntimeError } from '../../src/script/types.ts';

function context(data: Record<string, unknown> = {}, extra: Partial<ScriptContext> = {}): ScriptContext {
  return {
    data,
    watch: { id: 'disk', tenant: '_main' },
    trigger: {
      scheduled_time: '2024-05-01T10:00:00.000Z',
      triggered_time: '2024-05-01T10:00:00.100Z',
      previous_scheduled_time: null,
      next_scheduled_time: '2024-05-01T10:01:00.000Z',
    },
    execution_time: '2024-05-01T10:00:00.150Z',
    severity: null,
    ...extra,
  };
}

const DATA = {
  hits: { total: { value: 12 }, hits: [{ _source: { host: 'a', cpu: 91.5, tags: ['prod'] } }, { _source: { host: 'b', cpu: 40, tags: [] } }] },
  x: 5,
  a: 5,
  f: 2.5,
  n: 10,
  count: 7,
  list: [1, 2, 3],
  empty: [],
  s: 'Disk Full',
  nil: null,
  flag: true,
  ts: '2024-05-01T09:30:00Z',
  obj: { k: 'v', n: 1 },
};

const run = (source: string, data: Record<string, unknown> = DATA, extra: Partial<ScriptContext> = {}) =>
  celEngine.compile(source).run(context(data, extra));

function compileErr(source: string): ScriptCompileError {
  try {
    celEngine.compile(source);
  } catch (e) {
    if (e instanceof ScriptCompileError) return e;
    throw new Error(`expected ScriptCompileError, got ${String(e)}`);
  }
  throw new Error(`expected "${source}" not to compile`);
}

function runtimeErr(source: string, data: Record<string, unknown> = DATA, extra: Partial<ScriptContext> = {}): ScriptRuntimeError {
  const script = celEngine.compile(source);
  try {
    script.run(context(data, extra));
  } catch (e) {
    if (e instanceof ScriptRuntimeError) return e;
    throw new Error(`expected ScriptRuntimeError, got ${String(e)}`);
  }
  throw new Error(`expected "${source}" to fail at run time`);
}

describe('numbers: JSON doubles mix with CEL ints', () => {
  const cases: Array<[string, unknown]> = [
    ['data.hits.total.value > 10', true],
    ['data.hits.total.value >= 12 && data.hits.total.value <= 12.0', true],
    ['data.x * 2 + 1.5', 11.5],
    ['data.x + 1', 6],
    ['data.a / 2', 2.5],
    ['data.f - 1', 1.5],
    ['1 + 2.0', 3],
    ['2.5 * 2', 5],
    ['data.count % 2 == 1', true],
    ['data.f % 1.0', 0.5],
    ['data.n == 10', true],
    ['data.n != 10', false],
    ['1 == 1.0', true],
    ['1.0 != 1', false],
    ['1 < 1.5 && 2.5 > 2', true],
    ['7 / 2', 3],
    ['-data.x', -5],
    ['size(data.list) > 0', true],
    ['size(data.list) + data.f', 5.5],
    ['3 in data.list', true],
    ['data.list[1] == 2', true],
    ['int(data.f) + 1', 3],
    ['double(size(data.list)) / 2.0', 1.5],
  ];
  for (const [source, expected] of cases) {
    it(`${source} → ${JSON.stringify(expected)}`, () => {
      expect(run(source)).toEqual(expected);
    });
  }

  it('returns plain numbers, never BigInt', () => {
    expect(typeof run('1 + 2')).toBe('number');
    expect(typeof run('size(data.list)')).toBe('number');
  });

  it('keeps int overflow and integer division by zero as runtime errors; double division gives Infinity', () => {
    expect(runtimeErr('9223372036854775807 + 1').message).toMatch(/overflow/);
    expect(runtimeErr('1 / 0').message).toMatch(/division by zero/);
    expect(run('data.x / 0')).toBe(Infinity);
  });
});

describe('strings, lists, maps', () => {
  const cases: Array<[string, unknown]> = [
    ['data.s.contains("Full")', true],
    ['data.s.startsWith("Disk") && data.s.endsWith("Full")', true],
    ['data.s.matches("^D.*l$")', true],
    ['data.s + "!"', 'Disk Full!'],
    ['"n=" + string(data.n)', 'n=10'],
    ['size(data.s)', 9],
    ['data.s.lowerAscii()', 'disk full'],
    ['"b" in ["a", "b"]', true],
    ['data.list.size() == 3', true],
    ['data.empty.size() == 0', true],
    ['data.obj.k == "v" && "k" in data.obj', true],
    ['data.obj["n"] + 1', 2],
    ['{"a": 1, "b": [data.n, "x"]}', { a: 1, b: [10, 'x'] }],
    ['[1, "two", 3.0]', [1, 'two', 3]],
    ['data.nil == null', true],
    ['data.flag ? "on" : "off"', 'on'],
  ];
  for (const [source, expected] of cases) {
    it(`${source} → ${JSON.stringify(expected)}`, () => {
      expect(run(source)).toEqual(expected);
    });
  }

  it('has() tests presence without failing', () => {
    expect(run('has(data.obj.k)')).toBe(true);
    expect(run('has(data.obj.nope)')).toBe(false);
    expect(run('has(data.hits.total) && data.hits.total.value > 0')).toBe(true);
  });

  it('optional chaining gives a default for absent fields', () => {
    expect(run('data.?nope.?deeper.orValue(0) + 1')).toBe(1);
    expect(run('data.?x.orValue(0)')).toBe(5);
  });
});

describe('macros', () => {
  const cases: Array<[string, unknown]> = [
    ['data.hits.hits.exists(h, h._source.cpu > 90)', true],
    ['data.hits.hits.all(h, h._source.cpu > 90)', false],
    ['data.hits.hits.exists_one(h, h._source.host == "b")', true],
    ['data.hits.hits.filter(h, h._source.cpu > 50).map(h, h._source.host)', ['a']],
    ['data.list.map(x, x * 2)', [2, 4, 6]],
    ['data.list.map(x, x * 2.5)', [2.5, 5, 7.5]],
    ['data.list.filter(x, x % 2 == 1)', [1, 3]],
    ['data.hits.hits.map(h, h._source.tags.size())', [1, 0]],
    ['data.empty.all(x, x > 100)', true],
    ['data.empty.exists(x, x > 100)', false],
    ['data.hits.hits.exists(h, "prod" in h._source.tags)', true],
  ];
  for (const [source, expected] of cases) {
    it(`${source} → ${JSON.stringify(expected)}`, () => {
      expect(run(source)).toEqual(expected);
    });
  }
});

describe('context variables', () => {
  it('sees watch, trigger, execution_time, severity, resolved, item', () => {
    const severity = { level: { id: 'error', name: 'Error', level: 3 }, value: 97, threshold: 95 };
    const extra: Partial<ScriptContext> = { severity, item: { host: 'h1' }, resolved: { data: { a: 1 }, severity: null, trigger: {} } };
    expect(run('watch.id == "disk" && watch.tenant == "_main"', {}, extra)).toBe(true);
    expect(run('trigger.scheduled_time', {}, extra)).toBe('2024-05-01T10:00:00.000Z');
    expect(run('trigger.previous_scheduled_time == null', {}, extra)).toBe(true);
    expect(run('severity.level.level >= 3 && severity.value > severity.threshold', {}, extra)).toBe(true);
    expect(run('item.host', {}, extra)).toBe('h1');
    expect(run('resolved.data.a', {}, extra)).toBe(1);
  });

  it('absent severity, item and resolved are null', () => {
    expect(run('severity == null && item == null && resolved == null', {})).toBe(true);
  });

  it('does not mutate the data it reads', () => {
    const data = structuredClone(DATA);
    run('data.list.map(x, x * 2)', data);
    expect(data).toEqual(DATA);
  });
});

describe('timestamps and durations', () => {
  it('compares and computes with timestamp() of ISO strings', () => {
    expect(run('timestamp(execution_time) > timestamp(data.ts)')).toBe(true);
    expect(run('timestamp(execution_time) - timestamp(data.ts) > duration("20m")')).toBe(true);
    expect(run('timestamp(execution_time).getHours()')).toBe(10);
  });

  it('returns timestamps as ISO strings and durations in CEL text form', () => {
    expect(run('timestamp(data.ts) + duration("1h")')).toBe('2024-05-01T10:30:00.000Z');
    expect(run('timestamp(execution_time) - timestamp(data.ts)')).toBe('1800.15s');
  });
});

describe('results are plain JSON', () => {
  it('converts uint, bytes, types and nested values', () => {
    expect(run('1u')).toBe(1);
    expect(run('b"hi"')).toBe('aGk=');
    expect(run('type(1)')).toBe('int');
    expect(run('{"l": [1u, timestamp("2024-01-01T00:00:00Z")]}')).toEqual({ l: [1, '2024-01-01T00:00:00.000Z'] });
  });

  it('toPlain leaves JSON values alone and converts Maps', () => {
    expect(toPlain({ a: [1, 'x', null, true] })).toEqual({ a: [1, 'x', null, true] });
    expect(toPlain(new Map<unknown, unknown>([[1, 2n]]))).toEqual({ '1': 2 });
  });
});

describe('compile errors carry line and column', () => {
  const cases: Array<[string, number, number]> = [
    ['data.x >', 1, 9],
    ['data.x > 1 &&\n  foo(data.x)', 2, 3],
    ['data.x > 1\n  && "a" + 1 > 0', 2, 6],
    ['"unterminated', 1, 1],
    ['data.x)', 1, 7],
    ['1 +\n\n  ) 2', 3, 3],
    ['nope > 1', 1, 1],
    ['data.x ? 1 : "a"', 1, 1],
  ];
  for (const [source, line, column] of cases) {
    it(`${JSON.stringify(source)} fails at ${line}:${column}`, () => {
      const e = compileErr(source);
      expect([e.line, e.column]).toEqual([line, column]);
      expect(e.message).toContain(`(line ${line}, column ${column})`);
      // One line: the library's caret excerpt is for terminals, not for the watch log.
      expect(e.message).not.toContain('\n');
    });
  }

  it('rejects an empty expression', () => {
    expect(compileErr('  ').line).toBe(1);
  });

  it('rejects an expression beyond the structure limits', () => {
    expect(compileErr('1' + ' + 1'.repeat(20_000))).toBeInstanceOf(ScriptCompileError);
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('runtime errors', () => {
  it('a missing field is a ScriptRuntimeError naming the key and position', () => {
    const e = runtimeErr('data.hits.total.value > 1 && data.nope.x > 1');
    expect(e.message).toContain('nope');
    expect(e.message).toContain('line 1, column');
    expect(e.budget).toBe(false);
  });

  it('wrong runtime types, bad regex and bad timestamps are ScriptRuntimeErrors', () => {
    expect(runtimeErr('data.s + 1')).toBeInstanceOf(ScriptRuntimeError);
    expect(runtimeErr('data.s.matches(data.s + "(")')).toBeInstanceOf(ScriptRuntimeError);
    expect(runtimeErr('timestamp(data.s) > timestamp(data.ts)')).toBeInstanceOf(ScriptRuntimeError);
    expect(runtimeErr('data.list[7] == 1')).toBeInstanceOf(ScriptRuntimeError);
    expect(runtimeErr('data.hits.hits.all(h, h._source.missing > 1)')).toBeInstanceOf(ScriptRuntimeError);
  });

  it('cannot reach inherited members of the data', () => {
    expect(runtimeErr('data.constructor != null').message).toContain('constructor');
    expect(runtimeErr('data.__proto__ != null').message).toContain('__proto__');
  });
});

describe('compile once, run many', () => {
  it('a compiled script is reusable across contexts', () => {
    const script = celEngine.compile('data.hits.total.value > 10');
    expect(script.lang).toBe('cel');
    expect(script.source).toBe('data.hits.total.value > 10');
    expect(script.run(context({ hits: { total: { value: 11 } } }))).toBe(true);
    expect(script.run(context({ hits: { total: { value: 3 } } }))).toBe(false);
  });
});

describe('createScriptCompiler', () => {
  const compile = createScriptCompiler();

  it('dispatches cel to the CEL engine', () => {
    expect(compile('data.n > 1', 'cel').run(context({ n: 2 }))).toBe(true);
  });

  it('painless, and an omitted lang, need the Painless engine', () => {
    for (const lang of ['painless', undefined] as const) {
      let err: unknown;
      let script: unknown;
      try {
        script = compile('return data.n > 1;', lang);
      } catch (e) {
        err = e;
      }
      // Until src/script/painless/index.ts exports painlessEngine, this is a compile error naming CEL.
      if (err) {
        expect(err).toBeInstanceOf(ScriptCompileError);
        expect((err as ScriptCompileError).construct).toBe('painless');
      } else {
        expect((script as { lang: string }).lang).toBe('painless');
      }
    }
  });

  it('rejects an unknown lang', () => {
    expect(() => compile('1', 'mvel' as 'cel')).toThrow(ScriptCompileError);
  });
});
