/**
 * Conformance table for the Painless subset: each row is a script with its expected value or error.
 * Values are compared after run(), i.e. as the JSON the caller sees; doubles are checked through
 * string concatenation ("" + 10.0 is "10.0") where int-vs-double matters.
 */
import { describe, expect, it } from 'vitest';
import { painlessEngine } from '../../../src/script/painless/index.ts';
import { ScriptCompileError, ScriptRuntimeError } from '../../../src/script/types.ts';
import type { Case } from './case.ts';
import { CORE_CASES } from './cases-core.ts';
import { LIBRARY_CASES } from './cases-library.ts';
import { makeContext } from './context.ts';

const CASES: Case[] = [...CORE_CASES, ...LIBRARY_CASES];

function run(c: Case): unknown {
  const data = structuredClone(c.data ?? {});
  return painlessEngine.compile(c.src).run(makeContext(data, c.item));
}

describe('Painless conformance table', () => {
  it('has at least 150 rows', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(CASES.map((c, i) => [i, c.src, c] as const))('#%i %s', (_i, _src, c) => {
    if (c.error === 'compile') {
      let err: unknown;
      try { painlessEngine.compile(c.src); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ScriptCompileError);
      const ce = err as ScriptCompileError;
      expect(ce.line).toBeGreaterThanOrEqual(1);
      expect(ce.column).toBeGreaterThanOrEqual(1);
      if (c.construct) expect(ce.construct).toBe(c.construct);
      return;
    }
    if (c.error) {
      const compiled = painlessEngine.compile(c.src);
      let err: unknown;
      try { compiled.run(makeContext(structuredClone(c.data ?? {}), c.item)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ScriptRuntimeError);
      expect((err as ScriptRuntimeError).budget).toBe(c.error === 'budget');
      if (c.message) expect((err as Error).message).toMatch(c.message);
      return;
    }
    expect(run(c)).toEqual(c.expect);
  });
});
