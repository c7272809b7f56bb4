import { describe, expect, it } from 'vitest';
import { SLICE_MS, heldMs, noteHeld, yieldPoint } from '../../src/budget/turns.ts';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('turns', () => {
  it('does not wait while the loop has been held for less than a slice', async () => {
    await nextTurn();
    noteHeld(SLICE_MS - 1);
    expect(yieldPoint()).toBeUndefined();
    await nextTurn();
    expect(heldMs()).toBe(0);
  });

  it('after a slice, waiters resume one per turn of the event loop', async () => {
    await nextTurn();
    // Counts turns of the loop: one increment per check phase.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    noteHeld(SLICE_MS);
    const resumedAt: number[] = [];
    await Promise.all([1, 2, 3].map(() => yieldPoint()!.then(() => resumedAt.push(turn))));
    ticking = false;
    expect(new Set(resumedAt).size).toBe(3);
    expect(heldMs()).toBe(0);
  });
});
