import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { addDetail, countErrors, formatPath, zodDetail } from '../src/error-detail.ts';
import type { ErrorDetail } from '../src/errors.ts';
import { compileWatch } from '../src/watches/compile.ts';
import { compileEnv } from './kit/runtime.ts';

const schema = z
  .object({
    name: z.string(),
    hosts: z.array(z.string()).optional(),
    nested: z.object({ port: z.number() }).strict().optional(),
  })
  .strict();

const issuesOf = (input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected the document to be invalid');
  return r.error.issues;
};

describe('zodDetail', () => {
  it('names each problem at its JSON path, Signals style by default and dotted on request', () => {
    const issues = issuesOf({ name: 'n', hosts: ['a', 7] });
    expect(Object.keys(zodDetail(issues))).toEqual(['hosts[1]']);
    expect(Object.keys(zodDetail(issues, { style: 'dotted' }))).toEqual(['hosts.1']);
    expect(Object.keys(zodDetail(issues, { style: 'dotted', prefix: ['patch'] }))).toEqual(['patch.hosts.1']);
    expect(Object.keys(zodDetail(issues, { prefix: ['checks', 2] }))).toEqual(['checks[2].hosts[1]']);
  });

  it('gives every unknown field its own entry, at the field path', () => {
    const d = zodDetail(issuesOf({ name: 'n', colour: 1, nested: { port: 1, extra: 2 } }));
    expect(d).toEqual({ colour: [{ error: 'unknown field' }], 'nested.extra': [{ error: 'unknown field' }] });
  });

  it('shows a short preview of the offending value only when given the input', () => {
    const input = { name: 42, nested: { port: 'x'.repeat(500) } };
    const withValues = zodDetail(issuesOf(input), { input });
    expect(withValues.name![0]!.value).toBe(42);
    expect(withValues['nested.port']![0]!.value).toBe(`${'x'.repeat(200)}…`);
    const without = zodDetail(issuesOf(input));
    expect(Object.values(without).flat().some((p) => 'value' in p)).toBe(false);
  });

  it('scrubs every message when asked (a validator may quote its input)', () => {
    const d = zodDetail([{ code: 'custom', path: ['password'], message: 'bad value s3cret' }], { scrub: (m) => m.replace('s3cret', '[redacted]') });
    expect(d).toEqual({ password: [{ error: 'bad value [redacted]' }] });
  });

  it('an unknown field named __proto__ is reported like any other, not looked up on the prototype', () => {
    const input = JSON.parse('{"name":"n","__proto__":{"polluted":true}}') as unknown;
    const d = zodDetail(issuesOf(input), { input });
    expect(Object.keys(d)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(d, '__proto__')?.value).toEqual([{ error: 'unknown field' }]);
    expect(JSON.parse(JSON.stringify(d))).toEqual(JSON.parse('{"__proto__":[{"error":"unknown field"}]}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a watch file with a __proto__ field is invalid with that path, not an internal error', () => {
    const watch = JSON.parse(
      '{"trigger":{"schedule":{"interval":"1m"}},"checks":[],"actions":[{"type":"log","name":"l","text":"hi"}],"__proto__":1}',
    ) as unknown;
    const r = compileWatch(watch, { tenant: '_main', id: 'w' }, compileEnv());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.detail)).toEqual(['__proto__']);
  });
});

describe('detail helpers', () => {
  it('formatPath writes the root as _', () => {
    expect(formatPath([])).toBe('_');
    expect(formatPath(['actions', 0, 'to'])).toBe('actions[0].to');
  });

  it('addDetail collects problems per path; countErrors counts them all', () => {
    const d: ErrorDetail = {};
    addDetail(d, 'a', 'one');
    addDetail(d, 'a', 'two', 3);
    addDetail(d, 'constructor', 'three');
    expect(d).toEqual({ a: [{ error: 'one' }, { error: 'two', value: 3 }], constructor: [{ error: 'three' }] });
    expect(countErrors(d)).toBe(3);
  });
});
