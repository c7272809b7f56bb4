/**
 * `_vigil`, the field Vigil owns in a watch document: who saved the watch through the API. Compiled
 * apart from the definition (whose schema stays strict), checked strictly itself, counted in the version.
 */
import { describe, expect, it } from 'vitest';
import { compileWatch } from '../../src/watches/compile.ts';
import { takeVigilField } from '../../src/watches/run-as.ts';
import { compileEnv } from '../kit/runtime.ts';

const def = { trigger: { schedule: { interval: '1m' } }, actions: [{ type: 'log', name: 'l', text: 'x' }] };
const saver = { user: 'alice', roles: ['team_a'], backend_roles: ['ops'] };
const compile = (raw: unknown) => compileWatch(raw, { tenant: 'a', id: 'w' }, compileEnv());

describe('_vigil.saved_by', () => {
  it('is taken from the document before the definition is validated, and becomes the watch saver', () => {
    const res = compile({ ...def, _vigil: { saved_by: saver } });
    expect(res.ok && res.watch.savedBy).toEqual(saver);
    const plain = compile(def);
    expect(plain.ok && plain.watch.savedBy).toBeNull();
    // Who saved it is part of what runs: another saver is another version.
    expect(res.ok && plain.ok && res.watch.version).not.toBe(plain.ok && plain.watch.version);
  });

  it('is checked strictly, problems reported under _vigil next to those of the definition', () => {
    const res = compile({ ...def, extra: 1, _vigil: { saved_by: { user: 'alice', roles: 'team_a', rank: 9 }, other: true } });
    expect(res.ok).toBe(false);
    expect(Object.keys(!res.ok ? res.detail : {}).sort()).toEqual(['_vigil.other', '_vigil.saved_by.rank', '_vigil.saved_by.roles', 'extra']);
  });

  it('backend_roles may be left out; a document that is not an object passes through untouched', () => {
    expect(takeVigilField({ _vigil: { saved_by: { user: 'u', roles: [] } } }).savedBy).toEqual({ user: 'u', roles: [], backend_roles: [] });
    expect(takeVigilField([1])).toEqual({ definition: [1], savedBy: null, detail: null });
  });
});
