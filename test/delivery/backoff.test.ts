import { describe, expect, it } from 'vitest';
import { DEADLINE, deadlineFor, deadlineFromNow, nextDelay } from '../../src/delivery/backoff.ts';
import { RETRY_AFTER_CAP_MS } from '../../src/actions/shared/classify.ts';
import { seeded } from '../kit/seeded.ts';


describe('nextDelay', () => {
  it('without jitter (rng = 0.5) follows 0.5 s × 1.5^n (~0.5, 0.75, 1.1, 1.7 s)', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5].map((n) => nextDelay(n, mid))).toEqual([500, 750, 1125, 1688, 2531]);
  });

  it('jitter spans ±50 % of the base', () => {
    expect(nextDelay(1, () => 0)).toBe(250);
    expect(nextDelay(1, () => 0.999999)).toBe(750);
    expect(nextDelay(3, () => 0)).toBe(563);
  });

  it('is capped at 60 s, jitter included, even for huge attempt counts', () => {
    expect(nextDelay(20, () => 0.5)).toBe(60_000);
    expect(nextDelay(20, () => 0.999)).toBe(60_000);
    expect(nextDelay(20, () => 0)).toBe(30_000);
    expect(nextDelay(1e9, () => 0.5)).toBe(60_000);
  });

  it('treats attempt < 1 as the first retry', () => {
    expect(nextDelay(0, () => 0.5)).toBe(500);
    expect(nextDelay(-3, () => 0.5)).toBe(500);
  });

  it('a seeded rng gives a reproducible sequence within the bounds', () => {
    const a = Array.from({ length: 12 }, (_, i) => nextDelay(i + 1, seeded(42)));
    const b = Array.from({ length: 12 }, (_, i) => nextDelay(i + 1, seeded(42)));
    expect(a).toEqual(b);
    const rng = seeded(7);
    for (let n = 1; n <= 30; n++) {
      const base = Math.min(60_000, 500 * 1.5 ** (n - 1));
      const d = nextDelay(n, rng);
      expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.5));
      expect(d).toBeLessThanOrEqual(Math.min(60_000, Math.ceil(base * 1.5)));
    }
  });

  it('uses the jitter: different rng draws give different delays', () => {
    const rng = seeded(1);
    const draws = new Set(Array.from({ length: 20 }, () => nextDelay(4, rng)));
    expect(draws.size).toBeGreaterThan(10);
  });
});

describe('deadlineFor', () => {
  it.each([
    [undefined, 10_000],
    [0, 10_000],
    [5_000, 10_000],
    [10_000, 10_000],
    [60_000, 60_000],
    [5 * 60_000, 300_000],
    [3_600_000, 300_000],
    [Number.NaN, 10_000],
    [-1, 10_000],
  ])('throttle %s → %i ms', (throttle, expected) => {
    expect(deadlineFor(throttle)).toBe(expected);
  });
});

describe('deadlineFromNow (an entry that changed process or daemon)', () => {
  const t0 = 1_000_000;
  it('gives a whole window from now to an entry late in its window, or past it', () => {
    expect(deadlineFromNow({ createdAt: t0, deadline: t0 + 10_000 }, t0 + 9_800)).toBe(t0 + 19_800);
    expect(deadlineFromNow({ createdAt: t0, deadline: t0 + 60_000 }, t0 + 600_000)).toBe(t0 + 660_000);
  });

  it('keeps a deadline further away than a window from now (an operator retry just made)', () => {
    expect(deadlineFromNow({ createdAt: t0, deadline: t0 + 400_000 }, t0 + 1_000)).toBe(t0 + 400_000);
  });

  it('counts the window within its bounds: an operator retry a day later does not make it a day long', () => {
    // Requeued a day after its decision with a 10 s window: deadline − created is a day and 10 s.
    const requeued = { createdAt: t0, deadline: t0 + 86_400_000 + 10_000 };
    expect(deadlineFromNow(requeued, t0 + 86_400_000 + 9_000)).toBe(t0 + 86_400_000 + 9_000 + DEADLINE.maxMs);
    expect(deadlineFromNow({ createdAt: t0, deadline: t0 }, t0 + 5)).toBe(t0 + 5 + DEADLINE.minMs);
  });

  it('reads the window as decided once the stored deadline has moved on: each move gives that window, no longer', () => {
    // Claimed 9.8 s into a 10 s window, its deadline was stored 10 s on; claimed again 9 s later.
    const moved = { createdAt: t0, deadline: t0 + 19_800, windowMs: 10_000 };
    expect(deadlineFromNow(moved, t0 + 18_800)).toBe(t0 + 28_800);
    // Requeued a day later: the window as decided, not a day (nor the 5 min bound).
    expect(deadlineFromNow({ createdAt: t0, deadline: t0 + 86_400_000 + 10_000, windowMs: 10_000 }, t0 + 86_400_000 + 9_000)).toBe(t0 + 86_400_000 + 19_000);
  });
});

describe('Retry-After cap', () => {
  it('is the longest retry deadline: a longer wait would outlive every notification', () => {
    expect(RETRY_AFTER_CAP_MS).toBe(DEADLINE.maxMs);
  });
});
