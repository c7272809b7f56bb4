/**
 * Quartz cron → croner pattern normalisation.
 *
 * croner 11 parses seconds, `?`, `L`, `W`, `#` and the year field, and numbers weekdays the Quartz way
 * (1 = Sunday … 7 = Saturday) when constructed with `alternativeWeekdays: true`. What it does not do,
 * and what this file fixes before croner sees a pattern:
 *  - Quartz's `start/step` (e.g. `0/5`) is refused by croner; it means `start-max/step`.
 *  - Unix 5-field patterns are accepted by croner; Vigil refuses them, because the same text means
 *    something else in Quartz (the first field is seconds) and a silent reinterpretation would fire a
 *    watch 60 times more often than its author meant.
 *  - `?` is allowed by croner anywhere (it becomes `*`); Quartz allows it only in day-of-month and
 *    day-of-week.
 *  - Quartz refuses a pattern that restricts both day-of-month and day-of-week; croner would OR them.
 *  - With `alternativeWeekdays`, croner reads weekday `8` as Sunday; Quartz allows 1–7 only.
 *  - Quartz reads a range that runs backwards as wrapping around the field (`FRI-MON` is Fri, Sat,
 *    Sun, Mon; hour `22-2` is 22, 23, 0, 1, 2; a step carries over the wrap: `22-2/2` is 22, 0, 2);
 *    croner refuses such ranges, so they are written out as lists.
 */

/** The croner options every Quartz pattern must be parsed with. */
export const CRONER_QUARTZ_OPTIONS = { alternativeWeekdays: true, mode: '6-or-7-parts' } as const;

const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'] as const;
/** The largest value of each field, used to expand `start/step` into `start-max/step`. */
const FIELD_MAX = [59, 59, 23, 31, 12, 7, 2099] as const;
const DOM = 3;
const DOW = 5;
const MONTH = 4;
/** What a backwards range wraps around (Quartz `CronExpression.addToSet`); years do not wrap. */
const FIELD_WRAP = [60, 60, 24, 31, 12, 7, null] as const;
/** The smallest value of each field. */
const FIELD_MIN = [0, 0, 0, 1, 1, 1, 1970] as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Thrown for patterns Vigil refuses; the message is written for the watch author. */
export class QuartzSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuartzSyntaxError';
  }
}

/**
 * Rewrites a Quartz cron expression into the equivalent croner pattern (to be parsed with
 * {@link CRONER_QUARTZ_OPTIONS}). Throws {@link QuartzSyntaxError} for what Quartz itself would refuse
 * and croner would accept; croner's own parse catches the rest.
 */
export function quartzToCroner(expression: string): string {
  const fields = expression.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length === 5) {
    throw new QuartzSyntaxError(
      'Vigil uses Quartz cron: 6 or 7 fields sec min hour day-of-month month day-of-week [year]; ' +
        `did you mean '0 ${fields.join(' ')}'?`,
    );
  }
  if (fields.length !== 6 && fields.length !== 7) {
    throw new QuartzSyntaxError(
      `expected a Quartz cron expression of 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), got ${fields.length}`,
    );
  }
  const out = fields.map((field, i) => normaliseField(field, i));
  const domSpecific = !isWild(out[DOM]!);
  const dowSpecific = !isWild(out[DOW]!);
  if (domSpecific && dowSpecific) {
    throw new QuartzSyntaxError(
      `day-of-month '${fields[DOM]}' and day-of-week '${fields[DOW]}' are both set; Quartz allows only one of them, put '?' in the other`,
    );
  }
  return out.join(' ');
}

function isWild(field: string): boolean {
  return field === '*' || field === '?';
}

function normaliseField(field: string, index: number): string {
  const name = FIELD_NAMES[index]!;
  if (field.includes('?') && field !== '?') {
    throw new QuartzSyntaxError(`'?' must stand alone in the ${name} field ('${field}')`);
  }
  if (field === '?' && index !== DOM && index !== DOW) {
    throw new QuartzSyntaxError(`'?' is only allowed in day-of-month and day-of-week, not in the ${name} field`);
  }
  return field
    .split(',')
    .map((part) => {
      // `start/step` without a range: Quartz means start, start+step, … up to the field's maximum.
      const m = /^([^*/-]+)\/(\d+)$/.exec(part);
      const expanded = m ? `${m[1]}-${FIELD_MAX[index]}/${m[2]}` : unwrapRange(part, index);
      if (index === DOW) checkWeekdayNumbers(expanded, field);
      return expanded;
    })
    .join(',');
}

/** Quartz weekdays are 1–7; croner with alternativeWeekdays would quietly accept 8 (and read 0 as an error). */
function checkWeekdayNumbers(part: string, field: string): void {
  // Only the weekday values: the number after `#` is the occurrence and after `/` the step.
  const values = part.replace(/#\d+$/, '').replace(/\/\d+$/, '');
  for (const n of values.match(/\d+/g) ?? []) {
    const v = Number(n);
    if (v < 1 || v > 7) {
      throw new QuartzSyntaxError(`day-of-week values are 1-7 (1 = Sunday) or SUN-SAT, got ${v} in '${field}'`);
    }
  }
}

/** A field value as a number: digits, or a month or weekday name (Quartz numbering, 1 = Sunday). */
function valueOf(token: string, index: number): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  const names = index === MONTH ? MONTH_NAMES : index === DOW ? DAY_NAMES : null;
  const i = names ? names.indexOf(token.toUpperCase()) : -1;
  return i === -1 ? null : i + 1;
}

/**
 * A range whose start is after its end (`22-2`, `FRI-MON`, `50-10/15`), written out as the list of the
 * values Quartz fires on; any other part comes back unchanged, for croner to read (or refuse).
 */
function unwrapRange(part: string, index: number): string {
  const m = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)(?:\/(\d+))?$/.exec(part);
  if (!m) return part;
  const from = valueOf(m[1]!, index);
  const to = valueOf(m[2]!, index);
  if (from === null || to === null || from <= to) return part;
  const wrap = FIELD_WRAP[index];
  const name = FIELD_NAMES[index];
  if (wrap === null) throw new QuartzSyntaxError(`the ${name} range '${part}' runs backwards`);
  const min = FIELD_MIN[index]!;
  const max = FIELD_MAX[index]!;
  if (from < min || from > max || to < min || to > max) throw new QuartzSyntaxError(`${name} values are ${min}-${max}, got '${part}'`);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (step < 1) throw new QuartzSyntaxError(`the step of '${part}' must be at least 1`);
  const values = new Set<number>();
  for (let i = from; i <= to + wrap; i += step) {
    const v = i % wrap;
    // Fields counted from 1 (day of month, month, weekday) wrap to their maximum, not to 0.
    values.add(v === 0 && min === 1 ? wrap : v);
  }
  return [...values].sort((a, b) => a - b).join(',');
}
