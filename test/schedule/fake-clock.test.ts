import { describe, expect, it } from 'vitest';
import { FakeClock, MAX_TIMER_MS } from '../kit/fake-clock.ts';

describe('FakeClock (test kit)', () => {
  it('fires timers in due order, each seeing the clock at its due time', async () => {
    const c = new FakeClock('2025-01-01T00:00:00Z', 500);
    const seen: string[] = [];
    c.setTimeout(() => seen.push(`b@${c.monotonic()}`), 20);
    c.setTimeout(() => seen.push(`a@${c.monotonic()}`), 10);
    c.setTimeout(() => seen.push(`a2@${c.monotonic()}`), 10);
    const h = c.setTimeout(() => seen.push('cancelled'), 15);
    c.clearTimeout(h);
    await c.advance(20);
    expect(seen).toEqual(['a@510', 'a2@510', 'b@520']);
    expect(c.now()).toBe(Date.parse('2025-01-01T00:00:00.020Z'));
  });

  it('runs timers armed by timers within the same advance, and lets promises settle', async () => {
    const c = new FakeClock();
    const seen: number[] = [];
    const tick = () => {
      seen.push(c.monotonic());
      if (seen.length < 3) c.setTimeout(() => void Promise.resolve().then(tick), 100);
    };
    c.setTimeout(tick, 100);
    await c.advance(1_000);
    expect(seen).toEqual([1_000_100, 1_000_200, 1_000_300]);
  });

  it('jump moves only the wall clock; block moves both without firing', async () => {
    const c = new FakeClock(0, 0);
    let fired = 0;
    c.setTimeout(() => fired++, 50);
    c.jump(3_600_000);
    expect([c.now(), c.monotonic(), fired]).toEqual([3_600_000, 0, 0]);
    c.block(100);
    expect([c.now(), c.monotonic(), fired]).toEqual([3_600_100, 100, 0]);
    await c.advance(0);
    expect(fired).toBe(1);
    await c.advanceTo(3_700_000);
    expect(c.monotonic()).toBe(100_000);
  });

  it('refuses delays Node would silently clamp to 1 ms', () => {
    const c = new FakeClock();
    expect(() => c.setTimeout(() => {}, MAX_TIMER_MS + 1)).toThrow(RangeError);
    c.setTimeout(() => {}, MAX_TIMER_MS);
    expect(c.nextTimerIn()).toBe(MAX_TIMER_MS);
  });
});
