/** The scheduler against time itself: misfires, clock jumps, long pauses and long timers. */
import { describe, expect, it } from 'vitest';
import { FakeClock, MAX_TIMER_MS } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { Scheduler, type FireInfo, type SchedulerOptions } from '../../src/schedule/scheduler.ts';
import { compileSchedule, type Schedule } from '../../src/schedule/triggers.ts';
import { triggerSchema } from '../../src/schedule/schema.ts';

const HOUR = 3_600_000;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function schedule(s: unknown): Schedule {
  return compileSchedule(triggerSchema.parse({ schedule: s }).schedule);
}

function setup(start: string, opts: Partial<SchedulerOptions> = {}) {
  const clock = new FakeClock(start);
  const { logger, lines: logs } = captureLogger('debug');
  const sched = new Scheduler({ clock, logger, ...opts });
  const fires: FireInfo[] = [];
  const run = async (f: FireInfo): Promise<void> => void fires.push({ ...f });
  const scheduled = () => fires.map((f) => iso(f.scheduledTime));
  const triggered = () => fires.map((f) => iso(f.triggeredTime));
  return { clock, logs, sched, fires, run, scheduled, triggered };
}

describe('clock jump forward 1 h', () => {
  it('a per-minute cron watch fires once for the missed hour (EXECUTE_NOW), not 60 times', async () => {
    const t = setup('2025-01-01T12:00:30.000Z');
    t.sched.upsert('w', schedule({ cron: '0 * * * * ?' }), t.run);
    t.sched.start();
    t.clock.jump(HOUR); // wall 13:00:30, pending fire 12:01:00
    await t.clock.advance(1_000); // noticed within maxSleepMs
    expect(t.scheduled()).toEqual(['2025-01-01T12:01:00.000Z']);
    expect(t.triggered()).toEqual(['2025-01-01T13:00:31.000Z']);
    expect(t.fires[0]!.nextScheduledTime).toBe(Date.parse('2025-01-01T13:01:00Z'));
    expect(t.sched.stats()).toMatchObject({ misfires: 1, fired: 1, clockJumps: 1 });
    expect(t.logs.some((l) => l.msg === 'wall clock changed; rescheduling calendar triggers')).toBe(true);
    await t.clock.advance(60_000);
    expect(t.scheduled()).toEqual(['2025-01-01T12:01:00.000Z', '2025-01-01T13:01:00.000Z']);
  });

  it('when_late SKIP: the missed hour is skipped, then the schedule goes on', async () => {
    const t = setup('2025-01-01T12:00:30.000Z');
    t.sched.upsert('w', schedule({ cron: '0 * * * * ?', when_late: 'SKIP' }), t.run);
    t.sched.start();
    t.clock.jump(HOUR);
    await t.clock.advance(1_000);
    expect(t.fires).toEqual([]);
    expect(t.sched.stats()).toMatchObject({ misfires: 1, skippedLate: 1, fired: 0 });
    await t.clock.advance(60_000);
    expect(t.scheduled()).toEqual(['2025-01-01T13:01:00.000Z']);
    expect(t.fires[0]!.previousScheduledTime).toBe(Date.parse('2025-01-01T12:01:00Z'));
  });

  it('interval watches stay on the monotonic clock', async () => {
    const t = setup('2025-01-01T12:00:00.000Z');
    t.sched.upsert('w', schedule({ interval: '10s' }), t.run);
    t.sched.start();
    await t.clock.advance(15_000);
    t.clock.jump(HOUR);
    await t.clock.advance(20_000);
    // 10 s after start, then 20 s and 30 s of elapsed time: no burst, no misfire, no gap.
    expect(t.scheduled()).toEqual(['2025-01-01T12:00:10.000Z', '2025-01-01T13:00:20.000Z', '2025-01-01T13:00:30.000Z']);
    expect(t.sched.stats()).toMatchObject({ misfires: 0, fired: 3 });
  });
});

describe('triggered time', () => {
  it('a run queued for a slot reads the wall clock when it starts, even after the clock was set', async () => {
    const t = setup('2025-01-01T12:00:00.500Z', { concurrency: 1 });
    let release!: () => void;
    t.sched.upsert('slow', schedule({ cron: '1 0 12 * * ?' }), async (f) => {
      t.fires.push({ ...f });
      await new Promise<void>((r) => (release = r));
    });
    t.sched.upsert('queued', schedule({ cron: '1 0 12 * * ?' }), t.run);
    t.sched.start();
    await t.clock.advance(1_000); // 12:00:01.5: 'slow' runs, 'queued' waits for its slot
    expect(t.fires).toHaveLength(1);
    t.clock.jump(HOUR); // set forward while 'queued' waits
    release();
    await t.clock.flush();
    expect(t.triggered()).toEqual(['2025-01-01T12:00:01.000Z', '2025-01-01T13:00:01.500Z']);
  });
});

describe('clock jump backward 1 h', () => {
  it('a per-minute cron watch does not stall for an hour and does not fire the pending time early', async () => {
    const t = setup('2025-01-01T12:00:30.000Z');
    t.sched.upsert('w', schedule({ cron: '0 * * * * ?' }), t.run);
    t.sched.start();
    t.clock.jump(-HOUR); // wall 11:00:30, pending fire 12:01:00
    await t.clock.advance(31_000);
    expect(t.scheduled()).toEqual(['2025-01-01T11:01:00.000Z']);
    expect(t.triggered()).toEqual(['2025-01-01T11:01:00.000Z']);
    expect(t.sched.stats()).toMatchObject({ misfires: 0, clockJumps: 1 });
  });

  it('a daily watch that just fired does not fire the same scheduled time again', async () => {
    const t = setup('2025-01-01T13:59:50.000Z');
    t.sched.upsert('w', schedule({ daily: { at: '14:00' } }), t.run);
    t.sched.start();
    await t.clock.advance(30_000); // fires 14:00:00
    t.clock.jump(-HOUR); // 13:00:20: 14:00 comes round again on the wall clock
    await t.clock.advance(2 * HOUR);
    expect(t.scheduled()).toEqual(['2025-01-01T14:00:00.000Z']);
    expect(t.sched.nextFire('w')).toBe(Date.parse('2025-01-02T14:00:00Z'));
  });

  it('a small step back (NTP) right after a fire does not repeat it', async () => {
    const t = setup('2025-01-01T11:59:59.000Z');
    t.sched.upsert('w', schedule({ cron: '* * * * * ?' }), t.run);
    t.sched.start();
    await t.clock.advance(1_000); // fires 12:00:00
    t.clock.jump(-3_000); // wall 11:59:57
    await t.clock.advance(5_000); // wall reaches 12:00:02
    expect(t.scheduled()).toEqual(['2025-01-01T12:00:00.000Z', '2025-01-01T12:00:01.000Z', '2025-01-01T12:00:02.000Z']);
    expect(new Set(t.scheduled()).size).toBe(t.fires.length);
  });
});

describe('misfires from a blocked event loop or a paused process', () => {
  it('an interval watch late by more than the threshold runs once (EXECUTE_NOW)', async () => {
    const t = setup('2025-01-01T12:00:00.000Z');
    t.sched.upsert('w', schedule({ interval: '1s' }), t.run);
    t.sched.start();
    t.clock.block(30_000);
    await t.clock.advance(0);
    expect(t.fires).toHaveLength(1);
    expect(t.sched.stats()).toMatchObject({ misfires: 1, fired: 1 });
    expect(t.sched.stats().lateness.maxMs).toBe(29_000);
    await t.clock.advance(1_000);
    expect(t.fires).toHaveLength(2); // back on the 1 s grid, phase kept
    expect(iso(t.fires[1]!.scheduledTime)).toBe('2025-01-01T12:00:31.000Z');
  });

  it('late within the threshold: runs late, once, without catch-up runs', async () => {
    const t = setup('2025-01-01T12:00:00.000Z');
    t.sched.upsert('w', schedule({ cron: '* * * * * ?', when_late: 'SKIP' }), t.run);
    t.sched.start();
    t.clock.block(5_500);
    await t.clock.advance(0);
    expect(t.scheduled()).toEqual(['2025-01-01T12:00:01.000Z']);
    expect(t.sched.stats()).toMatchObject({ misfires: 0, fired: 1 });
    await t.clock.advance(1_000);
    expect(t.scheduled()).toEqual(['2025-01-01T12:00:01.000Z', '2025-01-01T12:00:06.000Z']);
  });

  it('SKIP drops a late interval fire', async () => {
    const t = setup('2025-01-01T12:00:00.000Z', { misfireThresholdMs: 2_000 });
    t.sched.upsert('w', schedule({ interval: '1m', when_late: 'SKIP' }), t.run);
    t.sched.start();
    await t.clock.advance(59_000);
    t.clock.block(10_000);
    await t.clock.advance(0);
    expect(t.fires).toEqual([]);
    expect(t.sched.stats()).toMatchObject({ skippedLate: 1 });
  });
});

describe('long timers', () => {
  it('waits more than 24.8 days without overflowing setTimeout', async () => {
    const t = setup('2025-01-01T12:00:00.000Z', { maxSleepMs: Number.MAX_SAFE_INTEGER });
    t.sched.upsert('w', schedule({ cron: '0 0 12 15 2 ? 2025' }), t.run); // 45 days away
    t.sched.start();
    expect(Math.max(...t.clock.delays)).toBe(MAX_TIMER_MS);
    await t.clock.advance(44 * 24 * HOUR);
    expect(t.fires).toEqual([]);
    await t.clock.advance(24 * HOUR);
    expect(t.scheduled()).toEqual(['2025-02-15T12:00:00.000Z']);
    expect(t.sched.stats().misfires).toBe(0);
    expect(t.clock.pendingTimers()).toBe(0); // the schedule has ended: nothing left to wait for
  });

  it('by default wakes at least every second, so wall-clock changes are noticed', async () => {
    const t = setup('2025-01-01T12:00:00.000Z');
    t.sched.upsert('w', schedule({ daily: { at: '18:00' } }), t.run);
    t.sched.start();
    expect(t.clock.nextTimerIn()).toBe(1_000);
  });
});

describe('time zones through the scheduler', () => {
  it('a daily 02:30 Berlin watch fires once a day across the spring-forward gap', async () => {
    const t = setup('2025-03-29T00:00:00.000Z', { maxSleepMs: 30 * 24 * HOUR });
    t.sched.upsert('w', schedule({ daily: { at: '02:30' }, timezone: 'Europe/Berlin' }), t.run);
    t.sched.start();
    await t.clock.advance(3 * 24 * HOUR);
    expect(t.scheduled()).toEqual(['2025-03-29T01:30:00.000Z', '2025-03-30T01:00:00.000Z', '2025-03-31T00:30:00.000Z']);
    expect(t.triggered()).toEqual(t.scheduled());
  });

  it('an hourly watch in Berlin fires 25 times on the fall-back day, each instant once', async () => {
    const t = setup('2025-10-25T22:00:00.000Z', { maxSleepMs: 30 * 24 * HOUR }); // 00:00 CEST on 26 Oct
    t.sched.upsert('w', schedule({ hourly: { minute: 0 }, timezone: 'Europe/Berlin' }), t.run);
    t.sched.start();
    await t.clock.advance(25 * HOUR - 1);
    expect(t.fires).toHaveLength(24); // 01:00 … 23:00 local, with 02:00 twice, then midnight is due
    expect(new Set(t.scheduled()).size).toBe(24);
    await t.clock.advance(1);
    expect(t.fires).toHaveLength(25);
  });
});
