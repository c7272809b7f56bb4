/**
 * Date values. Context times arrive as ISO-8601 strings; the interpreter wraps the known date fields
 * (`execution_time`, `trigger.*_time`, `resolved.trigger.*_time`) as JDate, a java.time.ZonedDateTime
 * look-alike holding epoch milliseconds and a zone, so Signals scripts can call
 * `execution_time.toInstant().toEpochMilli()`, `getHour()`, `getDayOfWeek()` and the like.
 */
import type { Env } from '../env.ts';
import { Special, rtError } from '../values.ts';
import { argInt, argNum, argStr, table, type Table } from './table.ts';

/** A zone: `Z`, a fixed offset like `+02:00`, or an IANA name like `Europe/Berlin`. */
export class JZone extends Special {
  readonly kind = 'zone';
  readonly id: string;
  constructor(id: string) {
    super();
    this.id = id;
  }
  typeName(): string { return 'ZoneId'; }
  toJava(): string { return this.id; }
  equalsSame(o: Special): boolean { return o instanceof JZone && o.id === this.id; }
  /** Offset from UTC in minutes at instant `ms`. */
  offsetAt(ms: number): number {
    if (this.id === 'Z' || this.id === 'UTC') return 0;
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(this.id);
    if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    const parts = zoneFormatter(this.id).formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
    return Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(id: string): Intl.DateTimeFormat {
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: id, hourCycle: 'h23', year: 'numeric', month: 'numeric',
      day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(id, f);
  }
  return f;
}

export function zoneOf(id: string): JZone {
  if (id === 'Z' || id === 'UTC' || /^[+-]\d{2}:?\d{2}$/.test(id)) return new JZone(id);
  try {
    zoneFormatter(id);
  } catch {
    throw rtError(`unknown time zone [${id}]`);
  }
  return new JZone(id);
}

/** A java.time enum constant (DayOfWeek, Month, ChronoUnit); constants are singletons so `==` works. */
export class JEnum extends Special {
  readonly kind = 'enum';
  readonly type: string;
  readonly name: string;
  readonly ordinal: number;
  constructor(type: string, name: string, ordinal: number) {
    super();
    this.type = type;
    this.name = name;
    this.ordinal = ordinal;
  }
  typeName(): string { return this.type; }
  toJava(): string { return this.name; }
}

const enumOf = (type: string, names: string[]) => names.map((n, i) => new JEnum(type, n, i));
export const DAYS = enumOf('DayOfWeek', ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
export const MONTHS = enumOf('Month', ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST',
  'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER']);
const UNIT_MS: Record<string, number> = { MILLIS: 1, SECONDS: 1e3, MINUTES: 6e4, HOURS: 3.6e6, DAYS: 8.64e7, WEEKS: 6.048e8 };
export const UNITS = enumOf('ChronoUnit', Object.keys(UNIT_MS));

/** java.time.Instant. */
export class JInstant extends Special {
  readonly kind = 'instant';
  readonly ms: number;
  constructor(ms: number) {
    super();
    this.ms = ms;
  }
  typeName(): string { return 'Instant'; }
  toJava(): string { return new Date(this.ms).toISOString(); }
  equalsSame(o: Special): boolean { return o instanceof JInstant && o.ms === this.ms; }
}

/** java.time.ZonedDateTime. */
export class JDate extends Special {
  readonly kind = 'date';
  readonly ms: number;
  readonly zone: JZone;
  constructor(ms: number, zone: JZone) {
    super();
    this.ms = ms;
    this.zone = zone;
  }
  typeName(): string { return 'ZonedDateTime'; }
  equalsSame(o: Special): boolean { return o instanceof JDate && o.ms === this.ms && o.zone.id === this.zone.id; }
  /** Local wall-clock fields, read through a Date shifted by the zone offset. */
  local(): Date { return new Date(this.ms + this.zone.offsetAt(this.ms) * 60000); }
  toJava(): string {
    const off = this.zone.offsetAt(this.ms);
    const iso = this.local().toISOString().slice(0, -1);
    if (off === 0) return `${iso}Z`;
    const a = Math.abs(off);
    return `${iso}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  }
}

/** java.time.Duration (between two instants). */
export class JDuration extends Special {
  readonly kind = 'duration';
  readonly ms: number;
  constructor(ms: number) {
    super();
    this.ms = ms;
  }
  typeName(): string { return 'Duration'; }
  toJava(): string { return `PT${this.ms / 1000}S`; }
  equalsSame(o: Special): boolean { return o instanceof JDuration && o.ms === this.ms; }
}

/** Parses an ISO-8601 timestamp as a JDate keeping its offset; null when it is not one. */
export function parseDate(s: string): JDate | null {
  const ms = Date.parse(s);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
  const m = /([+-]\d{2}:?\d{2})$/.exec(s);
  return new JDate(ms, new JZone(m ? m[1]! : 'Z'));
}

export function epochMillis(v: unknown, what: string): number {
  if (v instanceof JDate || v instanceof JInstant) return v.ms;
  throw rtError(`${what} expects a date or instant`);
}

const trunc = (n: number) => Math.trunc(n) || 0;
const shift = (factor: number, sign: number) =>
  [1, 1, (_e: Env, d: JDate, a: unknown[]) => new JDate(d.ms + sign * argNum(a[0], 'plus/minus') * factor, d.zone)] as
    [number, number, (e: Env, d: JDate, a: unknown[]) => unknown];

export const DATE_METHODS: Table = table({
  toInstant: [0, 0, (_e, d: JDate) => new JInstant(d.ms)],
  toEpochSecond: [0, 0, (_e, d: JDate) => Math.floor(d.ms / 1000)],
  getMillis: [0, 0, (_e, d: JDate) => d.ms],
  getYear: [0, 0, (_e, d: JDate) => d.local().getUTCFullYear()],
  getMonthValue: [0, 0, (_e, d: JDate) => d.local().getUTCMonth() + 1],
  getMonth: [0, 0, (_e, d: JDate) => MONTHS[d.local().getUTCMonth()]],
  getDayOfMonth: [0, 0, (_e, d: JDate) => d.local().getUTCDate()],
  getDayOfYear: [0, 0, (_e, d: JDate) => {
    const l = d.local();
    return Math.floor((l.getTime() - Date.UTC(l.getUTCFullYear(), 0, 1)) / 8.64e7) + 1;
  }],
  getDayOfWeek: [0, 0, (_e, d: JDate) => DAYS[(d.local().getUTCDay() + 6) % 7]],
  getHour: [0, 0, (_e, d: JDate) => d.local().getUTCHours()],
  getMinute: [0, 0, (_e, d: JDate) => d.local().getUTCMinutes()],
  getSecond: [0, 0, (_e, d: JDate) => d.local().getUTCSeconds()],
  getNano: [0, 0, (_e, d: JDate) => d.local().getUTCMilliseconds() * 1e6],
  getZone: [0, 0, (_e, d: JDate) => d.zone],
  isBefore: [1, 1, (_e, d: JDate, a) => d.ms < epochMillis(a[0], 'isBefore')],
  isAfter: [1, 1, (_e, d: JDate, a) => d.ms > epochMillis(a[0], 'isAfter')],
  isEqual: [1, 1, (_e, d: JDate, a) => d.ms === epochMillis(a[0], 'isEqual')],
  compareTo: [1, 1, (_e, d: JDate, a) => Math.sign(d.ms - epochMillis(a[0], 'compareTo'))],
  withZoneSameInstant: [1, 1, (_e, d: JDate, a) => new JDate(d.ms, asZone(a[0]))],
  plusSeconds: shift(1e3, 1), plusMinutes: shift(6e4, 1), plusHours: shift(3.6e6, 1), plusDays: shift(8.64e7, 1),
  plusWeeks: shift(6.048e8, 1), minusSeconds: shift(1e3, -1), minusMinutes: shift(6e4, -1),
  minusHours: shift(3.6e6, -1), minusDays: shift(8.64e7, -1), minusWeeks: shift(6.048e8, -1),
});

export const INSTANT_METHODS: Table = table({
  toEpochMilli: [0, 0, (_e, i: JInstant) => i.ms],
  getEpochSecond: [0, 0, (_e, i: JInstant) => Math.floor(i.ms / 1000)],
  isBefore: [1, 1, (_e, i: JInstant, a) => i.ms < epochMillis(a[0], 'isBefore')],
  isAfter: [1, 1, (_e, i: JInstant, a) => i.ms > epochMillis(a[0], 'isAfter')],
  compareTo: [1, 1, (_e, i: JInstant, a) => Math.sign(i.ms - epochMillis(a[0], 'compareTo'))],
  plusMillis: [1, 1, (_e, i: JInstant, a) => new JInstant(i.ms + argNum(a[0], 'plusMillis'))],
  plusSeconds: [1, 1, (_e, i: JInstant, a) => new JInstant(i.ms + argNum(a[0], 'plusSeconds') * 1e3)],
  minusMillis: [1, 1, (_e, i: JInstant, a) => new JInstant(i.ms - argNum(a[0], 'minusMillis'))],
  minusSeconds: [1, 1, (_e, i: JInstant, a) => new JInstant(i.ms - argNum(a[0], 'minusSeconds') * 1e3)],
  atZone: [1, 1, (_e, i: JInstant, a) => new JDate(i.ms, asZone(a[0]))],
});

export const ENUM_METHODS: Table = table({
  getValue: [0, 0, (_e, x: JEnum) => x.ordinal + 1],
  ordinal: [0, 0, (_e, x: JEnum) => x.ordinal],
  name: [0, 0, (_e, x: JEnum) => x.name],
  between: [2, 2, (_e, x: JEnum, a) => {
    if (x.type !== 'ChronoUnit') throw rtError('between() is only defined on ChronoUnit');
    return trunc((epochMillis(a[1], 'between') - epochMillis(a[0], 'between')) / UNIT_MS[x.name]!);
  }],
});

export const DURATION_METHODS: Table = table({
  toMillis: [0, 0, (_e, x: JDuration) => x.ms],
  getSeconds: [0, 0, (_e, x: JDuration) => Math.floor(x.ms / 1e3)],
  toSeconds: [0, 0, (_e, x: JDuration) => Math.floor(x.ms / 1e3)],
  toMinutes: [0, 0, (_e, x: JDuration) => trunc(x.ms / 6e4)],
  toHours: [0, 0, (_e, x: JDuration) => trunc(x.ms / 3.6e6)],
  toDays: [0, 0, (_e, x: JDuration) => trunc(x.ms / 8.64e7)],
  isNegative: [0, 0, (_e, x: JDuration) => x.ms < 0],
});

export const ZONE_METHODS: Table = table({ getId: [0, 0, (_e, z: JZone) => z.id] });

export function asZone(v: unknown): JZone {
  if (v instanceof JZone) return v;
  return zoneOf(argStr(v, 'zone'));
}

/** Static members of the date classes, merged into the static table by statics.ts. */
export const DATE_STATICS = {
  Instant: {
    ofEpochMilli: (a: unknown[]) => new JInstant(argInt(a[0], 'Instant.ofEpochMilli')),
    ofEpochSecond: (a: unknown[]) => new JInstant(argInt(a[0], 'Instant.ofEpochSecond') * 1000),
    parse: (a: unknown[]) => new JInstant(parseOrFail(a[0]).ms),
  },
  ZonedDateTime: {
    parse: (a: unknown[]) => parseOrFail(a[0]),
    ofInstant: (a: unknown[]) => new JDate(epochMillis(a[0], 'ZonedDateTime.ofInstant'), asZone(a[1])),
  },
  ZoneId: { of: (a: unknown[]) => zoneOf(argStr(a[0], 'ZoneId.of')) },
  Duration: {
    between: (a: unknown[]) => new JDuration(epochMillis(a[1], 'Duration.between') - epochMillis(a[0], 'Duration.between')),
    ofMillis: (a: unknown[]) => new JDuration(argNum(a[0], 'Duration.ofMillis')),
  },
};

function parseOrFail(v: unknown): JDate {
  const d = parseDate(argStr(v, 'parse'));
  if (!d) throw rtError(`cannot parse [${String(v)}] as a date-time`);
  return d;
}
