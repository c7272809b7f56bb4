import { describe, expect, it } from 'vitest';
import { applyTarget } from '../../src/checks/types.ts';
import type { ScriptContext } from '../../src/script/types.ts';

describe('applyTarget', () => {
  it('keeps a result under any target name as an own key of data, never as its prototype', () => {
    const ctx = { data: {} } as ScriptContext;
    applyTarget(ctx, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(ctx.data)).toBe(Object.prototype);
    expect(Object.hasOwn(ctx.data, '__proto__')).toBe(true);
    expect(JSON.stringify(ctx.data)).toBe('{"__proto__":{"polluted":true}}');
    applyTarget(ctx, 'x', 1);
    expect(ctx.data.x).toBe(1);
  });
});
