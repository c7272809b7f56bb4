import { describe, expect, it } from 'vitest';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { Scheduler, type FireInfo, type SchedulerOptions } from '../../src/schedule/scheduler.ts';
import { compileSchedule, type Schedule } from '../../src/schedule/triggers.ts';
import { triggerSchema } from '../../src/schedule/schema.ts';

const T0 = '2025-01-01T12:00:00.000Z';
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function schedule(s: unknown): Schedule {
  return compileSchedule(triggerSchema.parse({ schedule: s }).schedule);
}

function setup(opts: Partial<SchedulerOptions> = {}, start: string = T0) {
  const clock = new FakeClock(start);
  const { logger, lines: logs } = captureLogger('debug');
  const sched = new Scheduler({ clock, logger, ...opts });
  return { clock, logs, sched };
}

/** A run function that records what it was told and when it started (wall clock). */
function recorder(clock: FakeClock) {
  const fires: FireInfo[] = [];
  const startedAt: number[] = [];
  const run = async (f: FireInfo): Promise<void> => {
    fires.push({ ...f });
    startedAt.push(clock.now());
  };
  return { fires, startedAt, run, scheduled: () => fires.map((f) => iso(f.scheduledTime)) };
}

/** A run function whose runs stay in flight until released. */
function gate() {
  const started: string[] = [];
  const pending: Array<() => void> = [];
  const make = (id: string) => async (): Promise<void> => {
    started.push(id);
    await new Promise<void>((resolve) => pending.push(resolve));
  };
  const releaseAll = () => pending.splice(0).forEach((r) => r());
  return { started, make, releaseAll, inFlight: () => pending.length };
}

/** One run slot, and two 1 s interval watches 'a' and 'b' whose runs stay in flight until released. */
function twoGatedWatches() {
  const { clock, sched } = setup({ concurrency: 1 });
  const g = gate();
  sched.upsert('a', schedule({ interval: '1s' }), g.make('a'));
  sched.upsert('b', schedule({ interval: '1s' }), g.make('b'));
  sched.start();
  return { clock, sched, g };
}

describe('Scheduler: firing', () => {
  it('interval: fires at anchor + k·interval with full FireInfo', async () => {
    const { clock, sched } = setup();
    const r = recorder(clock);
    sched.upsert('w', schedule({ interval: '10s' }), r.run);
    sched.start();
    await clock.advance(35_000);
    expect(r.scheduled()).toEqual(['2025-01-01T12:00:10.000Z', '2025-01-01T12:00:20.000Z', '2025-01-01T12:00:30.000Z']);
    expect(r.fires[1]).toEqual({
      scheduledTime: Date.parse('2025-01-01T12:00:20Z'),
      triggeredTime: Date.parse('2025-01-01T12:00:20Z'),
      previousScheduledTime: Date.parse('2025-01-01T12:00:10Z'),
      nextScheduledTime: Date.parse('2025-01-01T12:00:30Z'),
    });
    expect(r.fires[0]!.previousScheduledTime).toBeNull();
    expect(sched.stats()).toMatchObject({ watches: 1, fired: 3, misfires: 0, running: 0, queued: 0 });
    expect(sched.stats().lateness).toMatchObject({ count: 3, maxMs: 0 });
  });

  it('cron: fires on the wall-clock second it names', async () => {
    const { clock, sched } = setup({}, '2025-01-01T11:59:58.500Z');
    const r = recorder(clock);
    sched.upsert('w', schedule({ cron: '0 * * * * ?' }), r.run);
    sched.start();
    await clock.advance(125_000);
    expect(r.scheduled()).toEqual(['2025-01-01T12:00:00.000Z', '2025-01-01T12:01:00.000Z', '2025-01-01T12:02:00.000Z']);
    expect(r.startedAt.map(iso)).toEqual(r.scheduled());
  });

  it('does nothing before start(), and nothing after stop()', async () => {
    const { clock, sched } = setup();
    const r = recorder(clock);
    sched.upsert('w', schedule({ interval: '1s' }), r.run);
    await clock.advance(500);
    expect(clock.pendingTimers()).toBe(0);
    sched.start();
    await clock.advance(2_000);
    expect(r.fires).toHaveLength(2);
    await sched.stop();
    await clock.advance(10_000);
    expect(r.fires).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('several triggers in one watch: the earliest fires, and coinciding ones fire once', async () => {
    const { clock, sched } = setup();
    const r = recorder(clock);
    // 12:00 + 20 min intervals: 12:20, 12:40, 13:00 — and the hourly cron also names 13:00.
    sched.upsert('w', schedule({ interval: '20m', cron: ['0 0 * * * ?', '0 30 12 * * ?'] }), r.run);
    sched.start();
    await clock.advance(3_600_000);
    expect(r.scheduled()).toEqual([
      '2025-01-01T12:20:00.000Z',
      '2025-01-01T12:30:00.000Z',
      '2025-01-01T12:40:00.000Z',
      '2025-01-01T13:00:00.000Z',
    ]);
  });

  it('many watches share the heap and one timer', async () => {
    const { clock, sched } = setup();
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const id = `w${i}`;
      sched.upsert(id, schedule(i % 2 ? { interval: `${1 + (i % 7)}s` } : { cron: '*/2 * * * * ?' }), async () => {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      });
    }
    sched.start();
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(14_000);
    expect(clock.pendingTimers()).toBe(1);
    expect(counts.get('w0')).toBe(7); // every 2 s
    expect(counts.get('w1')).toBe(7); // 2 s interval
    expect(counts.get('w13')).toBe(2); // 7 s interval
    expect(sched.stats().fired).toBe([...counts.values()].reduce((a, b) => a + b, 0));
  });

  it('a failing run is logged and the watch keeps its schedule', async () => {
    const { clock, sched, logs } = setup();
    let n = 0;
    sched.upsert('bad', schedule({ interval: '1s' }), async () => {
      n++;
      throw new Error('boom');
    });
    sched.upsert('sync-bad', schedule({ interval: '1s' }), () => {
      throw new Error('sync boom');
    });
    sched.start();
    await clock.advance(3_000);
    expect(n).toBe(3);
    expect(logs.filter((l) => l.msg === 'watch run failed').map((l) => l.err)).toContain('sync boom');
    expect(sched.stats()).toMatchObject({ fired: 6, running: 0 });
  });
});

describe('Scheduler: reload and removal', () => {
  it('re-upserting keeps the interval anchor', async () => {
    const { clock, sched } = setup();
    const r = recorder(clock);
    sched.upsert('w', schedule({ interval: '10m' }), r.run);
    sched.start();
    await clock.advance(7 * 60_000);
    sched.upsert('w', schedule({ interval: '10m', daily: { at: '00:00' } }), r.run); // a reload
    await clock.advance(4 * 60_000);
    expect(r.scheduled()).toEqual(['2025-01-01T12:10:00.000Z']);
  });

  it('the new run function is used from the next fire on', async () => {
    const { clock, sched } = setup();
    const seen: string[] = [];
    sched.upsert('w', schedule({ interval: '1s' }), async () => void seen.push('v1'));
    sched.start();
    await clock.advance(1_000);
    sched.upsert('w', schedule({ interval: '1s' }), async () => void seen.push('v2'));
    await clock.advance(1_000);
    expect(seen).toEqual(['v1', 'v2']);
  });

  it('an earlier schedule re-arms the timer', async () => {
    const { clock, sched } = setup();
    const r = recorder(clock);
    sched.upsert('w', schedule({ interval: '1h' }), async () => {});
    sched.start();
    await clock.advance(1_000);
    sched.upsert('x', schedule({ cron: '5 * * * * ?' }), r.run);
    await clock.advance(5_000);
    expect(r.scheduled()).toEqual(['2025-01-01T12:00:05.000Z']);
  });

  it('remove stops a watch; a queued fire of it is dropped', async () => {
    const { clock, sched, g } = twoGatedWatches();
    await clock.advance(1_000);
    expect(sched.stats()).toMatchObject({ running: 1, queued: 1 });
    sched.remove('b');
    expect(sched.has('b')).toBe(false);
    expect(sched.stats().queued).toBe(0);
    g.releaseAll();
    await clock.advance(3_000);
    expect(g.started.filter((s) => s === 'b')).toHaveLength(0);
    expect(sched.stats().watches).toBe(1);
  });
});

describe('Scheduler: overlap, concurrency and the queue', () => {
  it('never overlaps runs of one watch: fires during a run are skipped and counted', async () => {
    const { clock, sched } = setup();
    const g = gate();
    sched.upsert('slow', schedule({ interval: '10s' }), g.make('slow'));
    sched.start();
    await clock.advance(35_000); // fires at 10, 20, 30 s; the first is still running
    expect(g.started).toEqual(['slow']);
    expect(sched.stats()).toMatchObject({ fired: 1, skippedOverlap: 2, running: 1 });
    g.releaseAll();
    await clock.advance(5_000);
    expect(g.started).toEqual(['slow', 'slow']);
  });

  it('limits concurrency and queues FIFO; what does not fit waits in the schedule, in order, and nothing is dropped', async () => {
    const { clock, sched, logs } = setup({ concurrency: 2, queueLimit: 3 });
    const g = gate();
    for (let i = 0; i < 10; i++) sched.upsert(`w${i}`, schedule({ cron: '0 * * * * ?' }), g.make(`w${i}`));
    sched.start();
    await clock.advance(60_000);
    expect(g.started).toEqual(['w0', 'w1']);
    expect(sched.stats()).toMatchObject({ running: 2, queued: 3, deferred: 0, fired: 2 });
    const warn = logs.filter((l) => l.msg === 'run queue full; due fires wait in the schedule for a free slot');
    expect(warn).toHaveLength(1); // rate-limited
    expect(warn[0]).toMatchObject({ level: 40, queueLimit: 3 });
    await clock.advance(2_000);
    g.releaseAll(); // w0 and w1 finish: w2 and w3 start, in order, and w5, w6 move into the queue
    await clock.advance(0);
    expect(g.started).toEqual(['w0', 'w1', 'w2', 'w3']);
    expect(sched.stats()).toMatchObject({ queued: 3, deferred: 2 });
    expect(sched.stats().lateness.maxMs).toBe(2_000); // queued runs are late by their wait
    for (let i = 0; i < 5 && g.started.length < 10; i++) {
      g.releaseAll();
      await clock.advance(0);
    }
    expect(g.started).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9']);
    g.releaseAll();
    await clock.advance(0);
    // The five that did not fit waited in the schedule: deferred, none dropped, each run once.
    expect(sched.stats()).toMatchObject({ queued: 0, running: 0, fired: 10, deferred: 5, skippedOverlap: 0 });
  });

  it('a queued watch that fires again is an overlap, not a second queue entry', async () => {
    const { clock, sched, g } = twoGatedWatches();
    await clock.advance(3_000);
    expect(sched.stats()).toMatchObject({ running: 1, queued: 1, skippedOverlap: 4 });
  });

  it('a run that released its slot lets a queued watch start, but its own watch stays busy until it ends', async () => {
    const { clock, sched } = setup({ concurrency: 1 });
    const finish: Array<() => void> = [];
    const started: string[] = [];
    // Like a watch run: checks, then releaseSlot(), then waiting for deliveries.
    const run = (id: string) => async (_f: FireInfo, releaseSlot: () => void) => {
      started.push(id);
      releaseSlot();
      releaseSlot(); // twice is harmless
      await new Promise<void>((resolve) => finish.push(resolve));
    };
    sched.upsert('a', schedule({ interval: '1s' }), run('a'));
    sched.upsert('b', schedule({ interval: '1s' }), run('b'));
    sched.start();
    await clock.advance(1_000);
    expect(started).toEqual(['a', 'b']); // b did not wait for a's slot
    expect(sched.stats()).toMatchObject({ running: 0, finishing: 2, queued: 0 });
    await clock.advance(1_000);
    expect(started).toEqual(['a', 'b']); // both watches are still finishing: overlap, skipped
    expect(sched.stats().skippedOverlap).toBe(2);
    let stopped = false;
    const done = sched.stop().then(() => (stopped = true));
    await clock.flush();
    expect(stopped).toBe(false); // stop() waits for finishing runs too
    finish.splice(0).forEach((f) => f());
    await done;
    expect(sched.stats()).toMatchObject({ running: 0, finishing: 0 });
  });

  it('stop() waits for runs in flight and drops the queue', async () => {
    const { clock, sched, g } = twoGatedWatches();
    await clock.advance(1_000);
    let stopped = false;
    const done = sched.stop().then(() => (stopped = true));
    await clock.flush();
    expect(stopped).toBe(false);
    expect(sched.stats().queued).toBe(0);
    g.releaseAll();
    await done;
    expect(stopped).toBe(true);
    expect(g.started).toEqual(['a']);
  });
});

/** Back-pressure as the deliverer gives it: open or closed, with listeners for re-opening. */
function admission(open = true) {
  const listeners: Array<() => void> = [];
  return {
    open,
    onOpen(l: () => void) {
      listeners.push(l);
    },
    set(v: boolean) {
      this.open = v;
      if (v) listeners.forEach((l) => l());
    },
  };
}

describe('Scheduler: admission (back-pressure from delivery)', () => {
  it('while closed no run starts; due fires wait in the schedule and start in due order when it opens', async () => {
    const adm = admission(false);
    const { clock, sched } = setup({ admission: adm });
    const r = recorder(clock);
    for (const id of ['a', 'b', 'c']) sched.upsert(id, schedule({ interval: '10s' }), r.run);
    sched.start();
    await clock.advance(10_000);
    expect(r.fires).toHaveLength(0);
    expect(sched.stats()).toMatchObject({ paused: true, fired: 0, queued: 0 });
    // No timer spins while paused.
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(3_000);
    adm.set(true);
    await clock.advance(0);
    expect(r.scheduled()).toEqual(['2025-01-01T12:00:10.000Z', '2025-01-01T12:00:10.000Z', '2025-01-01T12:00:10.000Z']);
    expect(r.startedAt.map((t) => new Date(t).toISOString())).toEqual(Array(3).fill('2025-01-01T12:00:13.000Z'));
    expect(sched.stats()).toMatchObject({ paused: false, fired: 3, deferred: 3, misfires: 0 });
    // Back on schedule: the next fires are on time, not deferred.
    await clock.advance(7_000);
    expect(r.fires).toHaveLength(6);
    expect(sched.stats().deferred).toBe(3);
  });

  it('queued runs wait too, and start first when it opens', async () => {
    const adm = admission(true);
    const { clock, sched } = setup({ admission: adm, concurrency: 1 });
    const g = gate();
    sched.upsert('a', schedule({ interval: '10s' }), g.make('a'));
    sched.upsert('b', schedule({ interval: '10s' }), g.make('b'));
    sched.start();
    await clock.advance(10_000);
    expect(g.started).toEqual(['a']);
    expect(sched.stats().queued).toBe(1);
    adm.set(false);
    g.releaseAll();
    await clock.advance(0);
    expect(g.started).toEqual(['a']); // a's slot is free, but b does not start while delivery is saturated
    adm.set(true);
    await clock.advance(0);
    expect(g.started).toEqual(['a', 'b']);
  });

  it('a fire held past the misfire threshold follows when_late: runs once (EXECUTE_NOW) or is skipped (SKIP); one log line for many', async () => {
    const adm = admission(false);
    const { clock, sched, logs } = setup({ admission: adm, misfireThresholdMs: 10_000 });
    const r = recorder(clock);
    sched.upsert('now', schedule({ interval: '10s' }), r.run);
    sched.upsert('skip', schedule({ interval: '10s', when_late: 'SKIP' }), r.run);
    for (let i = 0; i < 20; i++) sched.upsert(`many${i}`, schedule({ interval: '10s' }), r.run);
    sched.start();
    await clock.advance(45_000); // due at 10 s, held for 35 s: three more intervals passed
    adm.set(true);
    await clock.advance(0);
    expect(r.fires).toHaveLength(21); // once each (not four times), the SKIP watch not at all
    expect(sched.stats()).toMatchObject({ fired: 21, deferred: 22, misfires: 22, skippedLate: 1 });
    expect(logs.filter((l) => String(l.msg).startsWith('trigger missed'))).toHaveLength(1);
    // The next fire of each is on its own schedule again (50 s), not a burst of the missed ones.
    await clock.advance(5_000);
    expect(r.fires).toHaveLength(43);
  });
});
