import { describe, expect, it } from 'vitest';
import { Backpressure } from '../../src/delivery/backpressure.ts';
import { createMetrics } from '../../src/metrics.ts';
import { OverloadMonitor } from '../../src/runtime/overload.ts';
import type { SchedulerStats } from '../../src/schedule/types.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';

function setup() {
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  const logs = captureLogger('info');
  const metrics = createMetrics();
  const pressure = new Backpressure(8);
  const stats = { deferred: 0, misfires: 0, skippedLate: 0, skippedOverlap: 0 } as SchedulerStats;
  const monitor = new OverloadMonitor({
    clock,
    logger: logs.logger,
    metrics,
    pressure,
    scheduler: () => stats,
    destinations: () => ({ 'webhook:http://a': { active: 16, queued: 2 }, 'webhook:http://b': { active: 16, queued: 7 } }),
  });
  const gauge = async () => (await metrics.overloaded.get()).values[0]?.value;
  const lines = (prefix: string) => logs.lines.filter((l) => String(l.msg).startsWith(prefix));
  return { clock, pressure, stats, monitor, gauge, lines };
}

describe('Backpressure', () => {
  it('closes at its limit and opens again at three quarters of it, telling listeners', () => {
    const p = new Backpressure(8);
    const seen: boolean[] = [];
    let opened = 0;
    p.onChange((open) => seen.push(open));
    p.onOpen(() => opened++);
    for (const n of [5, 7, 8, 9, 7, 6, 8, 4, 3]) p.update(n);
    expect(seen).toEqual([false, true, false, true]);
    expect(opened).toBe(2);
    expect(p.open).toBe(true);
  });
});

describe('OverloadMonitor', () => {
  it('warns once when delivery saturates, reminds every 10 s with the cost, and ends after 10 s of room', async () => {
    const t = setup();
    expect(await t.gauge()).toBe(0);
    t.pressure.update(8);
    expect(await t.gauge()).toBe(1);
    expect(t.lines('overloaded:')).toMatchObject([{ level: 40, backlog: 8, limit: 8, busiest: [{ destination: 'webhook:http://b', queued: 7 }, { destination: 'webhook:http://a', queued: 2 }] }]);
    // Flapping around the limit is one overload, not a line per flap.
    for (let i = 0; i < 50; i++) {
      t.pressure.update(6);
      t.pressure.update(8);
    }
    t.stats.deferred = 120;
    t.stats.misfires = 30;
    await t.clock.advance(10_000);
    expect(t.lines('overloaded:')).toHaveLength(1);
    expect(t.lines('still overloaded')).toMatchObject([{ level: 40, deferredFires: 120, misfires: 30, forMs: 10_000 }]);
    // Room, but not for long enough: still overloaded.
    t.pressure.update(2);
    await t.clock.advance(5_000);
    t.pressure.update(8);
    await t.clock.advance(5_000);
    expect(await t.gauge()).toBe(1);
    expect(t.lines('no longer overloaded')).toHaveLength(0);
    t.pressure.update(0);
    await t.clock.advance(10_000);
    expect(await t.gauge()).toBe(0);
    expect(t.lines('no longer overloaded')).toMatchObject([{ level: 30, deferredFires: 120, lastedMs: 30_000 }]);
    // Reminders stop with it.
    await t.clock.advance(30_000);
    expect(t.lines('still overloaded')).toHaveLength(2);
    t.monitor.stop();
  });
});
