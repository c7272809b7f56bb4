/**
 * Aligned interval triggers (several daemons sharing the watches): a watch's scheduled times are the
 * same on every daemon, whenever each loaded it and whatever its monotonic clock reads.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../kit/fake-clock.ts';
import { silentLogger } from '../../src/log.ts';
import { Scheduler, type FireInfo } from '../../src/schedule/scheduler.ts';
import { compileSchedule } from '../../src/schedule/triggers.ts';
import { triggerSchema } from '../../src/schedule/schema.ts';
import { phaseOf } from '../../src/schedule/spread.ts';

const every10s = () => compileSchedule(triggerSchema.parse({ schedule: { interval: '10s' } }).schedule);

async function firesOf(o: { wallStart: number; mono: number; loadAfterMs: number; spread: boolean; align: boolean }, id = '_main/w'): Promise<number[]> {
  const clock = new FakeClock(o.wallStart, o.mono);
  const sched = new Scheduler({ clock, logger: silentLogger(), alignIntervals: o.align, spreadIntervals: o.spread });
  sched.start();
  await clock.advance(o.loadAfterMs);
  const fires: FireInfo[] = [];
  sched.upsert(id, every10s(), async (f) => void fires.push(f));
  await clock.advance(35_000);
  await sched.stop();
  return fires.map((f) => f.scheduledTime);
}

describe('aligned interval triggers', () => {
  const T0 = Date.UTC(2026, 0, 5, 12, 0, 0, 0) + 0.4;
  it('fire at the same whole-millisecond scheduled times on daemons that loaded the watch at different moments', async () => {
    for (const spread of [false, true]) {
      const a = await firesOf({ wallStart: T0, mono: 1_000_000.25, loadAfterMs: 1_234, spread, align: true });
      const b = await firesOf({ wallStart: T0, mono: 77_000.5, loadAfterMs: 8_765, spread, align: true });
      expect(a.length).toBeGreaterThanOrEqual(3);
      for (const t of [...a, ...b]) expect(Number.isInteger(t)).toBe(true);
      // The later loader joins the same grid.
      expect(a.filter((t) => t >= b[0]!)).toEqual(b.filter((t) => t <= a.at(-1)!));
      const phase = spread ? 50 * Math.floor((phaseOf('_main/w') * 10_000) / 50) : 0;
      for (const t of a) expect(((t - phase) % 10_000 + 10_000) % 10_000).toBe(0);
    }
  });

  it('unaligned (one daemon, as before): anchored at the load time', async () => {
    const a = await firesOf({ wallStart: T0, mono: 1_000_000, loadAfterMs: 1_234, spread: false, align: false });
    expect(a[0]! - T0).toBeCloseTo(1_234 + 10_000, 0);
  });

  describe('a watch taken over from another daemon (lastRan: the last scheduled time it ran)', () => {
    const start = (align = true) => {
      const clock = new FakeClock(T0, 500_000);
      const sched = new Scheduler({ clock, logger: silentLogger(), alignIntervals: align, spreadIntervals: false });
      sched.start();
      return { clock, sched };
    };
    // T0 is 12:00:00.0004: the aligned times are the whole ten seconds.
    const at = (s: number) => Date.UTC(2026, 0, 5, 12, 0, s);

    it('runs the time missed since then at once, the latest one only, then keeps to its grid', async () => {
      const { clock, sched } = start();
      await clock.advance(34_000); // 12:00:34: 12:00:30 was due
      const fires: FireInfo[] = [];
      sched.upsert('_main/w', every10s(), async (f) => void fires.push(f), { lastRan: at(10) });
      await clock.advance(1);
      expect(fires.map((f) => f.scheduledTime)).toEqual([at(30)]);
      await clock.advance(6_000);
      expect(fires.map((f) => f.scheduledTime)).toEqual([at(30), at(40)]);
      await sched.stop();
    });

    it('waits for its next time when the last due one ran already, or when none is known', async () => {
      for (const lastRan of [at(30), undefined]) {
        const { clock, sched } = start();
        await clock.advance(34_000);
        const fires: FireInfo[] = [];
        sched.upsert('_main/w', every10s(), async (f) => void fires.push(f), lastRan === undefined ? {} : { lastRan });
        await clock.advance(5_000);
        expect(fires).toEqual([]);
        await clock.advance(1_000);
        expect(fires.map((f) => f.scheduledTime)).toEqual([at(40)]);
        await sched.stop();
      }
    });

    it('a calendar trigger runs its first missed time at once', async () => {
      const { clock, sched } = start();
      await clock.advance(34_000);
      const fires: FireInfo[] = [];
      const cron = compileSchedule(triggerSchema.parse({ schedule: { cron: '*/20 * * * * ?' } }).schedule);
      sched.upsert('_main/c', cron, async (f) => void fires.push(f), { lastRan: at(0) });
      await clock.advance(1);
      expect(fires.map((f) => f.scheduledTime)).toEqual([at(20)]);
      await clock.advance(6_000);
      expect(fires.map((f) => f.scheduledTime)).toEqual([at(20), at(40)]);
      await sched.stop();
    });
  });
});
