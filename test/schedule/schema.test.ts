import { describe, expect, it } from 'vitest';
import { triggerSchema } from '../../src/schedule/schema.ts';

/** Issues as `path: message`, the way the watch loader reports them. */
function problems(trigger: unknown): string[] {
  const r = triggerSchema.safeParse(trigger);
  if (r.success) return [];
  return r.error.issues.map((i) => `${['trigger', ...i.path].map((p, n) => (typeof p === 'number' ? `[${p}]` : n ? `.${String(p)}` : String(p))).join('')}: ${i.message}`);
}

describe('triggerSchema: accepts', () => {
  it.each([
    [{ interval: '10m' }],
    [{ interval: ['1m', '3d 2h 1m', '5w4d3h2m1s'] }],
    [{ cron: '0 0 12 ? * WED' }],
    [{ cron: ['0 15 10 L * ?', '0 0 12 ? * 6#3', '0 0 12 1 1 ? 2030'] }],
    [{ hourly: { minute: 30 } }],
    [{ hourly: [{ minute: [0, 30] }, { minute: 45 }] }],
    [{ daily: { at: '14:00:00' } }],
    [{ daily: { at: ['7', '08:30', '23:59:59'] } }],
    [{ weekly: { on: 'thursday', at: '14:00' } }],
    [{ weekly: [{ on: ['mon', 'Wednesday'], at: ['12:00', '18:00'] }, { on: 'SUN' }] }],
    [{ monthly: { on: 15, at: '14:00' } }],
    [{ monthly: [{ on: [1, 31], at: ['1', '13:00'] }] }],
    [{ interval: '1h', cron: '0 0 12 * * ?', timezone: 'Europe/Berlin', when_late: 'SKIP' }],
    [{ daily: { at: '9' }, timezone: 'UTC+01:00' }],
    [{ daily: { at: '9' }, timezone: 'UTC-05:30' }],
    [{ daily: { at: '9' }, timezone: 'America/New_York' }],
  ])('%j', (schedule) => {
    expect(problems({ schedule })).toEqual([]);
  });

  it('defaults when_late to EXECUTE_NOW and keeps the shape as written', () => {
    const r = triggerSchema.parse({ schedule: { interval: '10m', daily: { at: '14:00' } } });
    expect(r).toEqual({ schedule: { interval: '10m', daily: { at: '14:00' }, when_late: 'EXECUTE_NOW' } });
  });

  it('fills hourly minute and daily/weekly/monthly `at` defaults', () => {
    const r = triggerSchema.parse({ schedule: { hourly: {}, weekly: { on: 'fri' } } });
    expect(r.schedule!.hourly).toEqual({ minute: 0 });
    expect(r.schedule!.weekly).toEqual({ on: 'fri', at: '00:00' });
  });
});

describe('triggerSchema: refuses, naming the JSON path', () => {
  it('Unix cron in an array, on the array index', () => {
    expect(problems({ schedule: { cron: ['0 0 12 * * ?', '*/5 * * * *'] } })).toEqual([
      "trigger.schedule.cron[1]: Vigil uses Quartz cron: 6 or 7 fields sec min hour day-of-month month day-of-week [year]; did you mean '0 */5 * * * *'?",
    ]);
  });

  it('a single bad cron on the field itself, croner errors included', () => {
    expect(problems({ schedule: { cron: '0 0 25 * * ?' } })).toEqual([expect.stringMatching(/^trigger\.schedule\.cron: .*hour/)]);
    expect(problems({ schedule: { cron: '0 0 12 15 * MON' } })).toEqual([expect.stringMatching(/^trigger\.schedule\.cron: .*both set/)]);
  });

  it('zero, negative, sub-second and malformed intervals', () => {
    expect(problems({ schedule: { interval: ['1m', '0', '0s', '500ms', '-1s', 'soon'] } })).toEqual([
      "trigger.schedule.interval[1]: interval '0' is too short: it must be at least 1s",
      "trigger.schedule.interval[2]: interval '0s' is too short: it must be at least 1s",
      "trigger.schedule.interval[3]: interval '500ms' is too short: it must be at least 1s",
      expect.stringMatching(/^trigger\.schedule\.interval\[4\]: invalid duration '-1s'/),
      expect.stringMatching(/^trigger\.schedule\.interval\[5\]: invalid duration 'soon'/),
    ]);
  });

  it('unknown fields, at both levels', () => {
    expect(problems({ schedule: { interval: '1m', every: '5m' } })).toEqual(['trigger.schedule: Unrecognized key: "every"']);
    expect(problems({ schedule: { interval: '1m' }, foo: 1 })).toEqual(['trigger: Unrecognized key: "foo"']);
    expect(problems({ schedule: { daily: { at: '1', on: 'mon' } } })).toEqual(['trigger.schedule.daily: Unrecognized key: "on"']);
  });

  it('a schedule without any kind (no schedule at all is fine: `{}` runs on demand)', () => {
    expect(problems({ schedule: {} })).toEqual([
      'trigger.schedule: at least one schedule kind is required: interval, cron, hourly, daily, weekly, monthly (a watch run only on demand has no schedule: `"trigger": {}`)',
    ]);
    expect(problems({ schedule: { timezone: 'UTC' } })).toHaveLength(1);
    expect(problems({})).toEqual([]);
  });

  it('bad days, times, minutes and days of month, deep in arrays', () => {
    expect(
      problems({
        schedule: {
          weekly: [{ on: 'thu' }, { on: ['fri', 'blursday'], at: ['12:00', '25:00'] }],
          daily: { at: ['7:5', '12:00:60'] },
          hourly: { minute: [0, 60] },
          monthly: { on: [0, 15] },
        },
      }),
    ).toEqual([
      expect.stringMatching(/^trigger\.schedule\.hourly\.minute\[1\]: /),
      "trigger.schedule.daily.at[0]: invalid time '7:5': expected H, HH:MM or HH:MM:SS (24-hour clock)",
      "trigger.schedule.daily.at[1]: invalid time '12:00:60': hours are 0-23, minutes and seconds 0-59",
      "trigger.schedule.weekly[1].on[1]: invalid day 'blursday': expected a day name such as 'monday' or 'mon'",
      "trigger.schedule.weekly[1].at[1]: invalid time '25:00': hours are 0-23, minutes and seconds 0-59",
      expect.stringMatching(/^trigger\.schedule\.monthly\.on\[0\]: /),
    ]);
  });

  it("a value of the wrong kind is told what an item looks like, Watcher's forms named", () => {
    expect(problems({ schedule: { interval: 15 } })).toEqual([
      'trigger.schedule.interval: expected an interval as a string, a number and a unit ("30s", "5m", "1h", "1d", "2w"), or a non-empty array of them',
    ]);
    expect(problems({ schedule: { daily: { at: { hour: [9, 17], minute: 0 } } } })).toEqual([
      expect.stringMatching(/^trigger\.schedule\.daily: expected \{"at": a time of day as a string, "HH:MM" .*Watcher's \{"hour": 9, "minute": 30\} is "09:30"/),
    ]);
    expect(problems({ schedule: { weekly: { on: 2 } } })).toEqual([expect.stringMatching(/^trigger\.schedule\.weekly(\.on)?: expected .*day name/)]);
    expect(problems({ schedule: { daily: { at: ['noon', 'Midnight'] } } })).toEqual([
      'trigger.schedule.daily.at[0]: invalid time \'noon\': write "12:00" (times are H, HH:MM or HH:MM:SS on a 24-hour clock)',
      'trigger.schedule.daily.at[1]: invalid time \'Midnight\': write "00:00" (times are H, HH:MM or HH:MM:SS on a 24-hour clock)',
    ]);
  });

  it('day names: full or three letters only', () => {
    expect(problems({ schedule: { weekly: { on: 'thurs' } } })).toHaveLength(1);
    expect(problems({ schedule: { weekly: { on: 'th' } } })).toHaveLength(1);
  });

  it('unknown zones and impossible offsets', () => {
    expect(problems({ schedule: { interval: '1m', timezone: 'Mars/Olympus_Mons' } })).toEqual([
      "trigger.schedule.timezone: unknown time zone 'Mars/Olympus_Mons': use an IANA zone such as 'Europe/Berlin' or an offset such as 'UTC+01:00'",
    ]);
    expect(problems({ schedule: { interval: '1m', timezone: 'UTC+25:00' } })).toEqual([expect.stringMatching(/^trigger\.schedule\.timezone: invalid time zone offset/)]);
    expect(problems({ schedule: { interval: '1m', timezone: 'UTC+01:75' } })).toHaveLength(1);
  });

  it('when_late and empty arrays', () => {
    expect(problems({ schedule: { interval: '1m', when_late: 'LATER' } })).toEqual([expect.stringMatching(/^trigger\.schedule\.when_late: /)]);
    expect(problems({ schedule: { cron: [] } })).toEqual(['trigger.schedule.cron: must not be an empty array']);
  });
});
