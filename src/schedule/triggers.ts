/**
 * Compiles a validated `trigger.schedule` into a {@link Schedule}: the next fire time over all of its
 * triggers. Interval triggers are plain arithmetic on an anchor; every calendar kind (cron, hourly,
 * daily, weekly, monthly) is a croner pattern shared across watches (cron-cache.ts).
 */
import { VigilError } from '../errors.ts';
import { parseDuration } from './duration.ts';
import { quartzToCroner } from './quartz.ts';
import { sharedPattern, type CalendarPattern } from './cron-cache.ts';
import { parseZone } from './zone.ts';
import { dailyPatterns, hourlyPatterns, monthlyPatterns, weeklyPatterns } from './calendar.ts';
import type { ScheduleConfig } from './schema.ts';

export type WhenLate = 'EXECUTE_NOW' | 'SKIP';

/**
 * When a watch fires. Times are epoch milliseconds. Interval triggers fire at `anchor + k·interval`
 * (k ≥ 1) and do not depend on the wall clock, so the scheduler may pass them monotonic times;
 * calendar triggers follow the wall clock in the schedule's zone.
 */
export interface Schedule {
  /** Earliest fire time strictly after `afterMs` over all triggers, or null if none will fire again. */
  next(afterMs: number, anchorMs: number): number | null;
  /** Earliest interval-trigger fire time strictly after `afterMs`; null when there is no interval trigger. */
  nextInterval(afterMs: number, anchorMs: number): number | null;
  /** Latest interval-trigger fire time at or before `atMs` (k ≥ 1); null when there is none. */
  lastInterval(atMs: number, anchorMs: number): number | null;
  /** Earliest calendar-trigger (cron…monthly) fire time strictly after `afterMs`, wall clock; null if none. */
  nextCalendar(afterMs: number): number | null;
  /** A trigger missed by more than the misfire threshold: run once now, or skip it. */
  readonly whenLate: WhenLate;
  readonly hasInterval: boolean;
  /** The shortest interval trigger's period in ms; null when there is no interval trigger. */
  readonly shortestIntervalMs: number | null;
  readonly hasCalendar: boolean;
}

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

class CompiledSchedule implements Schedule {
  readonly whenLate: WhenLate;
  readonly hasInterval: boolean;
  readonly shortestIntervalMs: number | null;
  readonly hasCalendar: boolean;
  private readonly intervals: readonly number[];
  private readonly patterns: readonly CalendarPattern[];

  constructor(intervals: number[], patterns: CalendarPattern[], whenLate: WhenLate) {
    this.intervals = intervals;
    this.patterns = patterns;
    this.whenLate = whenLate;
    this.hasInterval = intervals.length > 0;
    this.shortestIntervalMs = intervals.length > 0 ? Math.min(...intervals) : null;
    this.hasCalendar = patterns.length > 0;
  }

  next(afterMs: number, anchorMs: number): number | null {
    const a = this.nextInterval(afterMs, anchorMs);
    const b = this.nextCalendar(afterMs);
    return a === null ? b : b === null ? a : Math.min(a, b);
  }

  nextInterval(afterMs: number, anchorMs: number): number | null {
    let best: number | null = null;
    for (const every of this.intervals) {
      const k = Math.max(1, Math.floor((afterMs - anchorMs) / every) + 1);
      const t = anchorMs + k * every;
      if (best === null || t < best) best = t;
    }
    return best;
  }

  lastInterval(atMs: number, anchorMs: number): number | null {
    let best: number | null = null;
    for (const every of this.intervals) {
      const k = Math.floor((atMs - anchorMs) / every);
      if (k < 1) continue;
      const t = anchorMs + k * every;
      if (best === null || t > best) best = t;
    }
    return best;
  }

  nextCalendar(afterMs: number): number | null {
    let best: number | null = null;
    for (const p of this.patterns) {
      const t = p.nextAfter(afterMs);
      if (t !== null && (best === null || t < best)) best = t;
    }
    return best;
  }
}

/** The schedule of a watch without one (`"trigger": {}`): it never fires; it runs only on demand. */
export const ON_DEMAND: Schedule = new CompiledSchedule([], [], 'EXECUTE_NOW');

/**
 * Compiles a schedule validated by `scheduleSchema` (undefined: the watch has none, {@link ON_DEMAND}).
 * Throws VigilError INVALID_WATCH if it is not valid after all (callers should validate first; this is
 * the backstop).
 */
export function compileSchedule(schedule: ScheduleConfig | undefined): Schedule {
  if (schedule === undefined) return ON_DEMAND;
  try {
    const zone = parseZone(schedule.timezone);
    const intervals = [...new Set(toArray(schedule.interval).map(parseDuration))];
    if (intervals.some((ms) => !(ms >= 1000))) throw new Error('intervals must be at least 1s');
    const quartz: string[] = [...toArray(schedule.cron)];
    for (const h of toArray(schedule.hourly)) quartz.push(...hourlyPatterns(toArray(h.minute)));
    for (const d of toArray(schedule.daily)) quartz.push(...dailyPatterns(toArray(d.at)));
    for (const w of toArray(schedule.weekly)) quartz.push(...weeklyPatterns(toArray(w.on), toArray(w.at)));
    for (const m of toArray(schedule.monthly)) quartz.push(...monthlyPatterns(toArray(m.on), toArray(m.at)));
    const patterns = [...new Set(quartz.map(quartzToCroner))].map((p) => sharedPattern(p, zone));
    if (intervals.length === 0 && patterns.length === 0) throw new Error('no trigger in schedule');
    return new CompiledSchedule(intervals, patterns, schedule.when_late ?? 'EXECUTE_NOW');
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw new VigilError('INVALID_WATCH', `invalid trigger.schedule: ${(e as Error).message}`, undefined, { cause: e });
  }
}
