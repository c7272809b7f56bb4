/**
 * The Signals calendar triggers (`hourly`, `daily`, `weekly`, `monthly`) as Quartz/croner
 * patterns, so one next-time engine (croner) serves every kind of trigger.
 */

/** Seconds, minutes and hours of a time of day. */
export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
}

const TIME = /^(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?$/;
const WATCHER_TIMES: Readonly<Record<string, string>> = { noon: '12:00', midnight: '00:00' };

/** `H`, `HH:MM` or `HH:MM:SS` on a 24-hour clock; throws a user-facing Error otherwise. */
export function parseTimeOfDay(text: string): TimeOfDay {
  const m = TIME.exec(text.trim());
  if (!m) {
    // Watcher's words for two times: its watches are moved over by hand, so the fix is named.
    const word = WATCHER_TIMES[text.trim().toLowerCase()];
    if (word) throw new Error(`invalid time '${text}': write "${word}" (times are H, HH:MM or HH:MM:SS on a 24-hour clock)`);
    throw new Error(`invalid time '${text}': expected H, HH:MM or HH:MM:SS (24-hour clock)`);
  }
  const hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  if (hour > 23 || minute > 59 || second > 59) {
    throw new Error(`invalid time '${text}': hours are 0-23, minutes and seconds 0-59`);
  }
  return { hour, minute, second };
}

/** Quartz day-of-week numbers: 1 = Sunday … 7 = Saturday. */
const DAYS: Record<string, number> = {
  sunday: 1,
  monday: 2,
  tuesday: 3,
  wednesday: 4,
  thursday: 5,
  friday: 6,
  saturday: 7,
};
for (const [name, n] of Object.entries(DAYS)) DAYS[name.slice(0, 3)] = n;

/** A day name, full or three letters, any case; returns the Quartz weekday number (1 = Sunday). */
export function parseDayName(text: string): number {
  const n = DAYS[text.trim().toLowerCase()];
  if (n === undefined) {
    throw new Error(`invalid day '${text}': expected a day name such as 'monday' or 'mon'`);
  }
  return n;
}

function timePattern(t: TimeOfDay): string {
  return `${t.second} ${t.minute} ${t.hour}`;
}

function unique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** `hourly: {minute}` → one pattern firing at each listed minute of every hour. */
export function hourlyPatterns(minutes: number[]): string[] {
  return [`0 ${unique(minutes).join(',')} * * * ?`];
}

/** `daily: {at}` → one pattern per time of day (different times cannot share one cron line). */
export function dailyPatterns(at: string[]): string[] {
  return at.map((t) => `${timePattern(parseTimeOfDay(t))} * * ?`);
}

/** `weekly: {on, at}` → one pattern per time of day, on the listed weekdays. */
export function weeklyPatterns(on: string[], at: string[]): string[] {
  const days = unique(on.map(parseDayName)).join(',');
  return at.map((t) => `${timePattern(parseTimeOfDay(t))} ? * ${days}`);
}

/** `monthly: {on, at}` → one pattern per time of day, on the listed days of the month. */
export function monthlyPatterns(on: number[], at: string[]): string[] {
  return at.map((t) => `${timePattern(parseTimeOfDay(t))} ${unique(on).join(',')} * ?`);
}
