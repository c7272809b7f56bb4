import { describe, expect, it } from 'vitest';
import { triggerSchema } from '../../src/schedule/schema.ts';
import { compileSchedule, type Schedule } from '../../src/schedule/triggers.ts';
import { VigilError } from '../../src/errors.ts';

function compile(schedule: unknown): Schedule {
  return compileSchedule(triggerSchema.parse({ schedule }).schedule);
}

/** The next `n` fire times after `from` (anchor = from), ISO UTC. */
function fires(s: Schedule, from: string, n: number, anchor = from): string[] {
  const out: string[] = [];
  let t = Date.parse(from);
  const a = Date.parse(anchor);
  for (let i = 0; i < n; i++) {
    const next = s.next(t, a);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    t = next;
  }
  return out;
}

describe('compileSchedule', () => {
  it('interval: anchor + k·interval, strictly after, k ≥ 1', () => {
    const s = compile({ interval: '10m' });
    expect(s.hasInterval).toBe(true);
    expect(s.hasCalendar).toBe(false);
    expect(s.next(0, 0)).toBe(600_000);
    expect(s.next(600_000, 0)).toBe(1_200_000);
    expect(s.next(599_999, 0)).toBe(600_000);
    expect(s.next(-5, 0)).toBe(600_000); // never before the first period has passed
    expect(s.next(1_000_000, 7)).toBe(1_200_007); // phase follows the anchor
    expect(s.nextCalendar(0)).toBeNull();
  });

  it('several intervals: the earliest of each', () => {
    const s = compile({ interval: ['1m', '45m'] });
    const t = [s.next(0, 0), s.next(2_640_000, 0), s.next(2_660_000, 0)];
    expect(t).toEqual([60_000, 2_700_000, 2_700_000]);
  });

  it('hourly with an array of minutes', () => {
    expect(fires(compile({ hourly: { minute: [30, 0] } }), '2025-01-01T10:10:00Z', 3)).toEqual([
      '2025-01-01T10:30:00.000Z',
      '2025-01-01T11:00:00.000Z',
      '2025-01-01T11:30:00.000Z',
    ]);
  });

  it('daily with several times, H, HH:MM and HH:MM:SS', () => {
    expect(fires(compile({ daily: { at: ['7', '14:30', '23:59:59'] } }), '2025-01-01T08:00:00Z', 4)).toEqual([
      '2025-01-01T14:30:00.000Z',
      '2025-01-01T23:59:59.000Z',
      '2025-01-02T07:00:00.000Z',
      '2025-01-02T14:30:00.000Z',
    ]);
  });

  it('weekly: an array of weekly items, full and short day names', () => {
    // 2025-01-01 is a Wednesday.
    const s = compile({ weekly: [{ on: 'thursday', at: '14:00' }, { on: ['MON', 'fri'], at: ['08:00', '20:00'] }] });
    expect(fires(s, '2025-01-01T00:00:00Z', 5)).toEqual([
      '2025-01-02T14:00:00.000Z',
      '2025-01-03T08:00:00.000Z',
      '2025-01-03T20:00:00.000Z',
      '2025-01-06T08:00:00.000Z',
      '2025-01-06T20:00:00.000Z',
    ]);
  });

  it('monthly: several days, skipping months without a 31st', () => {
    expect(fires(compile({ monthly: { on: [31, 15], at: '14:00' } }), '2025-01-20T00:00:00Z', 4)).toEqual([
      '2025-01-31T14:00:00.000Z',
      '2025-02-15T14:00:00.000Z',
      '2025-03-15T14:00:00.000Z',
      '2025-03-31T14:00:00.000Z',
    ]);
  });

  it('multiple kinds in one watch: the earliest wins, and interval stays on its anchor', () => {
    const s = compile({ interval: '25m', cron: '0 0 * * * ?' });
    expect(fires(s, '2025-01-01T00:00:00Z', 5)).toEqual([
      '2025-01-01T00:25:00.000Z',
      '2025-01-01T00:50:00.000Z',
      '2025-01-01T01:00:00.000Z',
      '2025-01-01T01:15:00.000Z',
      '2025-01-01T01:40:00.000Z',
    ]);
  });

  it('time zones apply to calendar kinds: 09:00 in New York and at UTC+05:30', () => {
    expect(fires(compile({ daily: { at: '9' }, timezone: 'America/New_York' }), '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-01T14:00:00.000Z']);
    expect(fires(compile({ daily: { at: '9' }, timezone: 'UTC+05:30' }), '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-01T03:30:00.000Z']);
    expect(fires(compile({ daily: { at: '9' }, timezone: 'UTC-05:00' }), '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-01T14:00:00.000Z']);
  });

  it('time zones do not move intervals', () => {
    expect(compile({ interval: '1h', timezone: 'Asia/Tokyo' }).next(0, 0)).toBe(3_600_000);
  });

  it('DST spring forward (Berlin, 2025-03-30): 02:30 does not exist and runs once, at 03:00 local', () => {
    const s = compile({ daily: { at: '02:30' }, timezone: 'Europe/Berlin' });
    expect(fires(s, '2025-03-29T00:00:00Z', 3)).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET
      '2025-03-30T01:00:00.000Z', // 03:00 CEST, the first valid time after the gap
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('DST fall back (Berlin, 2025-10-26): 02:30 occurs twice and a daily trigger runs once', () => {
    const s = compile({ daily: { at: '02:30' }, timezone: 'Europe/Berlin' });
    expect(fires(s, '2025-10-25T00:00:00Z', 3)).toEqual([
      '2025-10-25T00:30:00.000Z', // CEST
      '2025-10-26T00:30:00.000Z', // the first 02:30 (CEST) only
      '2025-10-27T01:30:00.000Z', // CET
    ]);
  });

  it('DST: a weekly 14:00 stays at 14:00 local across the change', () => {
    const s = compile({ weekly: { on: 'sun', at: '14:00' }, timezone: 'Europe/Berlin' });
    expect(fires(s, '2025-03-22T00:00:00Z', 2)).toEqual(['2025-03-23T13:00:00.000Z', '2025-03-30T12:00:00.000Z']);
  });

  it('a schedule that ends returns null', () => {
    const s = compile({ cron: '0 0 12 1 1 ? 2026' });
    expect(s.next(Date.parse('2026-06-01T00:00:00Z'), 0)).toBeNull();
  });

  it('when_late is carried through', () => {
    expect(compile({ interval: '1m' }).whenLate).toBe('EXECUTE_NOW');
    expect(compile({ interval: '1m', when_late: 'SKIP' }).whenLate).toBe('SKIP');
  });

  it('unvalidated input fails with INVALID_WATCH', () => {
    const bad = (s: object) => () => compileSchedule(s as never);
    expect(bad({ cron: '* * * * *', when_late: 'SKIP' })).toThrow(VigilError);
    expect(bad({ interval: '0s' })).toThrow(/at least 1s/);
    expect(bad({ when_late: 'SKIP' })).toThrow(/no trigger/);
    let err: unknown;
    try {
      bad({ cron: '* * * * *' })();
    } catch (e) {
      err = e;
    }
    expect((err as VigilError).code).toBe('INVALID_WATCH');
  });
});
