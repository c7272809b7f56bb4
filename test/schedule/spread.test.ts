import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { FakeClock } from '../kit/fake-clock.ts';
import { Scheduler, type FireInfo } from '../../src/schedule/scheduler.ts';
import { compileSchedule, type Schedule } from '../../src/schedule/triggers.ts';
import { triggerSchema } from '../../src/schedule/schema.ts';
import { phaseOf, spreadAnchor, SPREAD_GRID_MS } from '../../src/schedule/spread.ts';

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
const schedule = (s: unknown): Schedule => compileSchedule(triggerSchema.parse({ schedule: s }).schedule);

function setup(spreadIntervals: boolean) {
  const clock = new FakeClock(new Date(T0).toISOString());
  const sched = new Scheduler({ clock, logger: pino({ level: 'silent' }), spreadIntervals, concurrency: 1024 });
  const fires = new Map<string, number[]>();
  const add = (id: string, s: unknown) =>
    sched.upsert(id, schedule(s), async (f: FireInfo) => {
      fires.set(id, [...(fires.get(id) ?? []), f.scheduledTime]);
    });
  return { clock, sched, fires, add };
}

describe('interval spreading', () => {
  it('phaseOf is a stable fraction in [0, 1) that differs between keys', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `tenant\0watch-${i}`);
    const phases = keys.map(phaseOf);
    expect(phases.every((p) => p >= 0 && p < 1)).toBe(true);
    expect(phaseOf(keys[7]!)).toBe(phases[7]);
    expect(new Set(phases).size).toBe(1000);
    // Even enough to matter: each tenth of the interval gets 100 ± 40 of the 1 000 keys.
    const deciles = Array.from({ length: 10 }, (_, d) => phases.filter((p) => Math.floor(p * 10) === d).length);
    for (const n of deciles) expect(n).toBeGreaterThan(60), expect(n).toBeLessThan(140);
  });

  it('100 watches loaded together fire spread over the interval, each exactly every interval, first within one interval', async () => {
    const { clock, sched, fires, add } = setup(true);
    const ids = Array.from({ length: 100 }, (_, i) => `w${i}`);
    for (const id of ids) add(id, { interval: '10s' });
    sched.start();
    await clock.advance(30_000);
    const firsts = ids.map((id) => fires.get(id)![0]! - T0);
    for (const id of ids) {
      const t = fires.get(id)!;
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t[0]! - T0).toBeGreaterThan(0);
      expect(t[0]! - T0).toBeLessThanOrEqual(10_000);
      // The anchor the hash gives, and nothing else.
      const anchor = spreadAnchor(id, 0, 10_000);
      expect(anchor).toBeLessThanOrEqual(0);
      expect(t[0]! - T0).toBe(anchor + 10_000 * (Math.floor(-anchor / 10_000) + 1));
      for (let k = 1; k < t.length; k++) expect(t[k]! - t[k - 1]!).toBe(10_000);
    }
    // No burst: no whole second of the interval holds more than a quarter of the watches.
    const perSecond = Array.from({ length: 10 }, (_, s) => firsts.filter((f) => Math.ceil(f / 1000) - 1 === s).length);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(25);
    expect(new Set(firsts).size).toBeGreaterThan(60);
  });

  it('watches loaded at different moments share due-time slots on the grid', async () => {
    const { clock, sched, fires, add } = setup(true);
    sched.start();
    for (let i = 0; i < 300; i++) {
      add(`w${i}`, { interval: '10s' });
      await clock.advance(7); // a load every 7 ms, off the grid
    }
    await clock.advance(20_000);
    const all = [...fires.values()].flat();
    expect(all.length).toBeGreaterThanOrEqual(300);
    for (const t of all) expect((t - T0) % SPREAD_GRID_MS).toBe(0);
    // 300 watches into at most 10 000 / 50 = 200 slots per interval: slots are shared. (A 1 ms grid
    // would give ~295 distinct times.)
    expect(SPREAD_GRID_MS).toBeGreaterThanOrEqual(10);
    const firsts = new Set([...fires.values()].map((t) => t[0]));
    expect(firsts.size).toBeLessThanOrEqual(10_000 / SPREAD_GRID_MS);
    expect(firsts.size).toBeGreaterThan(100);
  });

  it('unspread (the scheduler default): every watch loaded together fires at load + interval', async () => {
    const { clock, sched, fires, add } = setup(false);
    for (let i = 0; i < 20; i++) add(`w${i}`, { interval: '10s' });
    sched.start();
    await clock.advance(10_000);
    expect(new Set([...fires.values()].map((t) => t[0]! - T0))).toEqual(new Set([10_000]));
  });

  it('the phase comes from the shortest interval and holds across a reload', async () => {
    const a = setup(true);
    a.add('w', { interval: ['1m', '10s'] });
    a.sched.start();
    await a.clock.advance(25_000);
    a.add('w', { interval: ['1m', '10s'] }); // a reload keeps the anchor
    await a.clock.advance(10_000);
    const offset = (spreadAnchor('w', 0, 10_000) + 20_000) % 10_000;
    expect(offset).not.toBe(0);
    const expected = Array.from({ length: Math.floor((35_000 - offset) / 10_000) + 1 }, () => offset);
    expect(a.fires.get('w')!.map((t) => (t - T0) % 10_000)).toEqual(expected);
  });

  it('calendar triggers are not moved', async () => {
    const { clock, sched, fires, add } = setup(true);
    add('c', { cron: '*/5 * * * * ?' });
    sched.start();
    await clock.advance(10_000);
    expect(fires.get('c')!.map((t) => t - T0)).toEqual([5_000, 10_000]);
  });
});
