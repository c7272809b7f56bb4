import { describe, expect, it } from 'vitest';
import { quartzToCroner, QuartzSyntaxError } from '../../src/schedule/quartz.ts';
import { sharedPattern } from '../../src/schedule/cron-cache.ts';

/** The next `n` fire times (ISO, UTC) of a Quartz expression after `from`. */
function nextTimes(expr: string, from: string, n = 3, zone: { utcOffset: number } | { timezone: string } = { utcOffset: 0 }): string[] {
  const p = sharedPattern(quartzToCroner(expr), zone);
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = p.nextAfter(t);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    t = next;
  }
  return out;
}

describe('quartzToCroner', () => {
  it('rewrites start/step into start-max/step per field', () => {
    expect(quartzToCroner('0 0/5 * * * ?')).toBe('0 0-59/5 * * * ?');
    expect(quartzToCroner('10/20 5/15 1/6 1/10 2/3 ? 2025/2')).toBe('10-59/20 5-59/15 1-23/6 1-31/10 2-12/3 ? 2025-2099/2');
    expect(quartzToCroner('0 0 12 ? JAN/3 MON/2')).toBe('0 0 12 ? JAN-12/3 MON-7/2');
    expect(quartzToCroner('*/5 1-30/5 * * * ?')).toBe('*/5 1-30/5 * * * ?');
  });

  it('refuses Unix 5-field cron with a hint', () => {
    expect(() => quartzToCroner('*/5 * * * *')).toThrowError(
      "Vigil uses Quartz cron: 6 or 7 fields sec min hour day-of-month month day-of-week [year]; did you mean '0 */5 * * * *'?",
    );
    expect(() => quartzToCroner('*/5 * * * *')).toThrow(QuartzSyntaxError);
  });

  it('refuses other field counts, misplaced ?, both day fields, and weekday 0 or 8', () => {
    expect(() => quartzToCroner('0 0 12 * * ? 2025 1')).toThrow(/6 or 7 fields.*got 8/);
    expect(() => quartzToCroner('? 0 12 * * ?')).toThrow(/'\?' is only allowed in day-of-month and day-of-week/);
    expect(() => quartzToCroner('0 0 12 1? * ?')).toThrow(/must stand alone/);
    expect(() => quartzToCroner('0 0 12 15 * MON')).toThrow(/both set.*put '\?' in the other/);
    expect(() => quartzToCroner('0 0 12 ? * 0')).toThrow(/1-7/);
    expect(() => quartzToCroner('0 0 12 ? * 8')).toThrow(/1-7/);
    expect(() => quartzToCroner('0 0 12 ? * 2-8')).toThrow(/1-7/);
  });
});

describe('Quartz semantics through croner', () => {
  // 2025-01-01 is a Wednesday.
  const from = '2025-01-01T00:00:00Z';

  it('0 0 12 ? * WED: every Wednesday at noon', () => {
    expect(nextTimes('0 0 12 ? * WED', from)).toEqual(['2025-01-01T12:00:00.000Z', '2025-01-08T12:00:00.000Z', '2025-01-15T12:00:00.000Z']);
  });

  it('weekdays are numbered 1 = Sunday … 7 = Saturday', () => {
    expect(nextTimes('0 0 12 ? * 1', from, 1)).toEqual(['2025-01-05T12:00:00.000Z']); // Sunday
    expect(nextTimes('0 0 12 ? * 7', from, 1)).toEqual(['2025-01-04T12:00:00.000Z']); // Saturday
    expect(nextTimes('0 0 12 ? * 2-6', '2025-01-03T13:00:00Z', 2)).toEqual(['2025-01-06T12:00:00.000Z', '2025-01-07T12:00:00.000Z']);
  });

  it('0 15 10 L * ?: last day of every month at 10:15', () => {
    expect(nextTimes('0 15 10 L * ?', from)).toEqual(['2025-01-31T10:15:00.000Z', '2025-02-28T10:15:00.000Z', '2025-03-31T10:15:00.000Z']);
  });

  it('0 0 12 15W * ?: the weekday nearest the 15th', () => {
    // 2025-02-15 and 2025-03-15 are Saturdays → Friday the 14th; 2025-06-15 is a Sunday → Monday the 16th.
    expect(nextTimes('0 0 12 15W * ?', from)).toEqual(['2025-01-15T12:00:00.000Z', '2025-02-14T12:00:00.000Z', '2025-03-14T12:00:00.000Z']);
    expect(nextTimes('0 0 12 15W * ?', '2025-06-01T00:00:00Z', 1)).toEqual(['2025-06-16T12:00:00.000Z']);
  });

  it('0 0 12 ? * 6#3: the third Friday', () => {
    expect(nextTimes('0 0 12 ? * 6#3', from)).toEqual(['2025-01-17T12:00:00.000Z', '2025-02-21T12:00:00.000Z', '2025-03-21T12:00:00.000Z']);
    expect(new Date('2025-01-17T12:00:00Z').getUTCDay()).toBe(5);
  });

  it('6L: the last Friday of the month', () => {
    expect(nextTimes('0 0 12 ? * 6L', from, 2)).toEqual(['2025-01-31T12:00:00.000Z', '2025-02-28T12:00:00.000Z']);
  });

  it('0 0/5 * * * ?: every five minutes', () => {
    expect(nextTimes('0 0/5 * * * ?', '2025-01-01T00:03:10Z')).toEqual(['2025-01-01T00:05:00.000Z', '2025-01-01T00:10:00.000Z', '2025-01-01T00:15:00.000Z']);
  });

  it('seconds step with a start: 15/20 fires at 15, 35, 55', () => {
    expect(nextTimes('15/20 * * * * ?', from)).toEqual(['2025-01-01T00:00:15.000Z', '2025-01-01T00:00:35.000Z', '2025-01-01T00:00:55.000Z']);
  });

  it('the year field restricts and ends a schedule', () => {
    expect(nextTimes('0 0 12 1 1 ? 2027', from, 2)).toEqual(['2027-01-01T12:00:00.000Z']);
    expect(nextTimes('0 0 12 1 1 ? 2020-2024', from, 1)).toEqual([]);
    expect(nextTimes('0 0 0 1 1 ? 2026/2', from, 2)).toEqual(['2026-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z']);
  });

  it('croner still rejects what neither accepts', () => {
    expect(() => sharedPattern(quartzToCroner('0 0 25 * * ?'), { utcOffset: 0 })).toThrow();
    expect(() => sharedPattern(quartzToCroner('0 0 12 L-3 * ?'), { utcOffset: 0 })).toThrow();
    expect(() => sharedPattern(quartzToCroner('0 0 12 ? * FOO'), { utcOffset: 0 })).toThrow();
  });

  it('time zones: noon in Berlin is 11:00Z in winter and 10:00Z in summer', () => {
    expect(nextTimes('0 0 12 * * ?', '2025-03-29T00:00:00Z', 3, { timezone: 'Europe/Berlin' })).toEqual([
      '2025-03-29T11:00:00.000Z',
      '2025-03-30T10:00:00.000Z',
      '2025-03-31T10:00:00.000Z',
    ]);
  });

  it('shares one croner object per (pattern, zone)', () => {
    const a = sharedPattern('0 0 12 * * ?', { utcOffset: 0 });
    expect(sharedPattern('0 0 12 * * ?', { utcOffset: 0 })).toBe(a);
    expect(sharedPattern('0 0 12 * * ?', { utcOffset: 60 })).not.toBe(a);
  });
});

describe('ranges that run backwards wrap around the field, as in Quartz (croner refuses them)', () => {
  // 2025-01-01 is a Wednesday.
  const from = '2025-01-01T00:00:00Z';

  it('are written out as lists before croner sees them', () => {
    expect(quartzToCroner('0 0 12 ? * FRI-MON')).toBe('0 0 12 ? * 1,2,6,7');
    expect(quartzToCroner('0 0 12 ? * fri-mon')).toBe('0 0 12 ? * 1,2,6,7');
    expect(quartzToCroner('0 0 12 ? * 7-1')).toBe('0 0 12 ? * 1,7');
    expect(quartzToCroner('0 0 22-2 * * ?')).toBe('0 0 0,1,2,22,23 * * ?');
    expect(quartzToCroner('0 0 22-2/2 * * ?')).toBe('0 0 0,2,22 * * ?');
    expect(quartzToCroner('0 50-10/15 * * * ?')).toBe('0 5,50 * * * ?');
    expect(quartzToCroner('0 0 0 30-2 * ?')).toBe('0 0 0 1,2,30,31 * ?');
    expect(quartzToCroner('0 0 0 1 NOV-FEB ?')).toBe('0 0 0 1 1,2,11,12 ?');
    // Forward ranges and everything else are left to croner.
    expect(quartzToCroner('0 0 9-17 ? * MON-FRI')).toBe('0 0 9-17 ? * MON-FRI');
  });

  it('FRI-MON fires Friday, Saturday, Sunday and Monday', () => {
    expect(nextTimes('0 0 12 ? * FRI-MON', from, 5)).toEqual([
      '2025-01-03T12:00:00.000Z',
      '2025-01-04T12:00:00.000Z',
      '2025-01-05T12:00:00.000Z',
      '2025-01-06T12:00:00.000Z',
      '2025-01-10T12:00:00.000Z',
    ]);
    expect(nextTimes('0 0 12 ? * 7-1', from, 3)).toEqual(['2025-01-04T12:00:00.000Z', '2025-01-05T12:00:00.000Z', '2025-01-11T12:00:00.000Z']);
  });

  it('hour 22-2 fires at 22, 23, 0, 1 and 2 o’clock; a step carries over midnight', () => {
    expect(nextTimes('0 0 22-2 * * ?', '2025-01-01T20:00:00Z', 6)).toEqual([
      '2025-01-01T22:00:00.000Z',
      '2025-01-01T23:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
      '2025-01-02T01:00:00.000Z',
      '2025-01-02T02:00:00.000Z',
      '2025-01-02T22:00:00.000Z',
    ]);
    expect(nextTimes('0 0 22-2/2 * * ?', '2025-01-01T20:00:00Z', 4)).toEqual([
      '2025-01-01T22:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
      '2025-01-02T02:00:00.000Z',
      '2025-01-02T22:00:00.000Z',
    ]);
  });

  it('days of month and months wrap too; a day a month lacks is skipped', () => {
    expect(nextTimes('0 0 0 30-2 * ?', '2025-01-29T00:00:00Z', 6)).toEqual([
      '2025-01-30T00:00:00.000Z',
      '2025-01-31T00:00:00.000Z',
      '2025-02-01T00:00:00.000Z',
      '2025-02-02T00:00:00.000Z',
      '2025-03-01T00:00:00.000Z',
      '2025-03-02T00:00:00.000Z',
    ]);
    expect(nextTimes('0 0 0 1 NOV-FEB ?', from, 5)).toEqual([
      '2025-02-01T00:00:00.000Z',
      '2025-11-01T00:00:00.000Z',
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
  });

  it('in a time zone, the wrap is in local time', () => {
    expect(nextTimes('0 0 23-1 * * ?', '2025-01-01T00:00:00Z', 3, { timezone: 'Europe/Berlin' })).toEqual([
      '2025-01-01T22:00:00.000Z',
      '2025-01-01T23:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
    ]);
  });

  it('refuses a backwards year range and values outside the field', () => {
    expect(() => quartzToCroner('0 0 12 1 1 ? 2030-2025')).toThrow(/year range '2030-2025' runs backwards/);
    expect(() => quartzToCroner('0 0 25-2 * * ?')).toThrow(/hour values are 0-23/);
    expect(() => quartzToCroner('0 0 12 ? * 9-1')).toThrow(QuartzSyntaxError);
  });
});
