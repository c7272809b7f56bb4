/**
 * The watch's `trigger` field, validated strictly: unknown fields are errors, and every
 * problem is reported on its own JSON path (e.g. `trigger.schedule.cron[1]`) so the loader can list
 * them Signals-style. Values keep the shape the author wrote (one item or an array);
 * {@link compileSchedule} in triggers.ts turns a validated schedule into next-time computations.
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { quartzToCroner } from './quartz.ts';
import { sharedPattern } from './cron-cache.ts';
import { parseZone } from './zone.ts';
import { parseDayName, parseTimeOfDay } from './calendar.ts';
import { errorMessage } from '../errors.ts';

/** Intervals below this are refused: a watch firing faster than once a second is a mistake. */
export const MIN_INTERVAL_MS = 1000;

/**
 * One item or a non-empty array of them; each item is validated (and reported) on its own path. A value
 * that is neither (a number for a string, Watcher's `{"hour", "minute"}` for a time) is told what an
 * item looks like, not zod's bare "Invalid input".
 */
function oneOrMany<T extends z.ZodType>(item: T, what: string) {
  return z.union([item, z.array(item).min(1, 'must not be an empty array')], {
    error: (issue) => (issue.code === 'invalid_union' ? `expected ${what}, or a non-empty array of them` : undefined),
  });
}

/** A string checked by `parse`, whose thrown message becomes the issue on this value's path. */
function checkedString(parse: (s: string) => void) {
  return z.string().superRefine((value, ctx) => {
    try {
      parse(value);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: errorMessage(e), input: value });
    }
  });
}

const intervalItem = checkedString((s) => {
  const ms = parseDuration(s);
  if (ms < MIN_INTERVAL_MS) {
    throw new Error(`interval '${s}' is too short: it must be at least 1s`);
  }
});

const cronItem = checkedString((s) => {
  // Parse with croner now (zone-independent), so a bad pattern fails at load, not at first fire.
  sharedPattern(quartzToCroner(s), { utcOffset: 0 });
});

const timeItem = checkedString(parseTimeOfDay);
const dayItem = checkedString(parseDayName);
const minuteItem = z.number().int().min(0).max(59);
const dayOfMonthItem = z.number().int().min(1).max(31);

const TIME = 'a time of day as a string, "HH:MM" or "HH:MM:SS" (Watcher\'s {"hour": 9, "minute": 30} is "09:30")';
const AT = `"at": ${TIME}`;
const hourly = z.strictObject({ minute: oneOrMany(minuteItem, 'a minute, 0-59').default(0) });
const daily = z.strictObject({ at: oneOrMany(timeItem, TIME).default('00:00') });
const weekly = z.strictObject({ on: oneOrMany(dayItem, 'a day name ("monday" or "mon")'), at: oneOrMany(timeItem, TIME).default('00:00') });
const monthly = z.strictObject({ on: oneOrMany(dayOfMonthItem, 'a day of the month, 1-31'), at: oneOrMany(timeItem, TIME).default('00:00') });

const KINDS = ['interval', 'cron', 'hourly', 'daily', 'weekly', 'monthly'] as const;

/** `trigger.schedule`. */
export const scheduleSchema = z
  .strictObject({
    interval: oneOrMany(intervalItem, 'an interval as a string, a number and a unit ("30s", "5m", "1h", "1d", "2w")').optional(),
    cron: oneOrMany(cronItem, 'a Quartz cron expression as a string ("0 */5 * * * ?")').optional(),
    hourly: oneOrMany(hourly, '{"minute": 0-59 or an array of minutes}').optional(),
    daily: oneOrMany(daily, `{${AT}}`).optional(),
    weekly: oneOrMany(weekly, `{"on": a day name, ${AT}}`).optional(),
    monthly: oneOrMany(monthly, `{"on": a day of the month, ${AT}}`).optional(),
    /** IANA zone or `UTC+01:00`; applies to all kinds but `interval`; default UTC. */
    timezone: checkedString(parseZone).optional(),
    /** What to do with a trigger missed by more than the misfire threshold (10 s). */
    when_late: z.enum(['EXECUTE_NOW', 'SKIP']).default('EXECUTE_NOW'),
  })
  .superRefine((s, ctx) => {
    if (!KINDS.some((k) => s[k] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `at least one schedule kind is required: ${KINDS.join(', ')} (a watch run only on demand has no schedule: \`"trigger": {}\`)`,
        input: s,
      });
    }
  });

/**
 * The watch's `trigger` field: `{ schedule: {...} }`. As in Signals, it may be `{}` (or left out of the
 * watch): the watch then has no schedule and runs only when executed on demand (`_execute`,
 * `vigil execute`).
 */
export const triggerSchema = z.strictObject({ schedule: scheduleSchema.optional() });

/** A validated `trigger` (defaults applied). */
export type TriggerConfig = z.output<typeof triggerSchema>;
/** A validated `trigger.schedule`, the input of `compileSchedule`. */
export type ScheduleConfig = z.output<typeof scheduleSchema>;
/** What a watch author may write in `trigger` before defaults. */
export type TriggerInput = z.input<typeof triggerSchema>;
