import { describe, expect, it } from 'vitest';
import { allOf } from '../../src/schedule/admission.ts';
import { Backpressure } from '../../src/delivery/backpressure.ts';

describe('allOf', () => {
  it('is open only while every part is, and tells its listeners when the last closed part opens', () => {
    const a = new Backpressure(4);
    const b = new Backpressure(4);
    const both = allOf(a, b);
    let opened = 0;
    both.onOpen(() => opened++);
    expect(both.open).toBe(true);
    a.update(4);
    b.update(4);
    expect(both.open).toBe(false);
    a.update(0);
    expect([both.open, opened]).toEqual([false, 0]);
    b.update(0);
    expect([both.open, opened]).toEqual([true, 1]);
  });
});
