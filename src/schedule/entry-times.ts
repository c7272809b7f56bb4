/**
 * An entry's next times on the scheduler's two clocks. Interval times are monotonic; calendar times are
 * wall-clock and reach the monotonic heap through `offset` (wall − monotonic as of the last rebase).
 */
import type { Entry } from './entry.ts';

/**
 * The next calendar time strictly after `wall` (NaN: none), without re-firing the last one after a
 * clock step back: a step back of at most `misfireMs` continues after the last fired time.
 */
export function calendarAfter(e: Entry, wall: number, misfireMs: number): number {
  if (!e.schedule.hasCalendar) return Number.NaN;
  let base = wall;
  if (e.prevCal > wall && e.prevCal - wall <= misfireMs) base = e.prevCal;
  let t = e.schedule.nextCalendar(base);
  if (t !== null && t === e.prevCal) t = e.schedule.nextCalendar(t);
  return t ?? Number.NaN;
}

/** Monotonic time of the entry's next fire, interval or calendar, whichever comes first (Infinity: never). */
export function dueOf(e: Entry, offset: number): number {
  const i = Number.isNaN(e.iNext) ? Infinity : e.iNext;
  const c = Number.isNaN(e.cNext) ? Infinity : e.cNext - offset;
  return i < c ? i : c;
}

/** Wall time of the entry's next fire (null: never). */
export function nextWallOf(e: Entry, offset: number): number | null {
  const d = dueOf(e, offset);
  if (d === Infinity) return null;
  return d === e.iNext ? e.iNext + offset : e.cNext;
}
