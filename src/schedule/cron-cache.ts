/**
 * One croner `Cron` per distinct (pattern, zone), shared by every watch that uses it. The objects are
 * never started: croner only computes next times here, the heap
 * scheduler does the waiting. A running croner job per watch would cost ~80 KB and a wake-up every 30 s.
 */
import { Cron } from 'croner';
import { CRONER_QUARTZ_OPTIONS } from './quartz.ts';
import { zoneKey, type ZoneSpec } from './zone.ts';

/** Next fire times of one calendar pattern in one zone. */
export interface CalendarPattern {
  /** The croner pattern (after Quartz normalisation). */
  readonly pattern: string;
  /** The first fire time strictly after `afterMs` (epoch ms), or null if the pattern never fires again. */
  nextAfter(afterMs: number): number | null;
}

class SharedCron implements CalendarPattern {
  readonly pattern: string;
  private readonly cron: Cron;
  // croner works in whole seconds, so the answer depends only on the second of `afterMs`. When many
  // watches share a pattern and fire together, they all ask the same question: answer it once.
  private lastSecond = Number.NaN;
  private lastNext: number | null = null;

  constructor(pattern: string, zone: ZoneSpec) {
    this.pattern = pattern;
    this.cron = new Cron(pattern, { ...CRONER_QUARTZ_OPTIONS, ...zone, paused: true });
  }

  nextAfter(afterMs: number): number | null {
    const second = Math.floor(afterMs / 1000);
    if (second !== this.lastSecond) {
      const next = this.cron.nextRun(new Date(second * 1000));
      this.lastNext = next === null ? null : next.getTime();
      this.lastSecond = second;
    }
    return this.lastNext;
  }
}

/**
 * Bounded: distinct patterns are few in practice, but watches can be PUT at will. When the bound is
 * hit the map is cleared; compiled schedules keep their own references, only sharing is lost.
 */
const MAX_ENTRIES = 10_000;
const cache = new Map<string, SharedCron>();

/**
 * The shared calendar pattern for a croner pattern (already Quartz-normalised) in a zone. Throws
 * croner's error when the pattern is invalid.
 */
export function sharedPattern(pattern: string, zone: ZoneSpec): CalendarPattern {
  const key = `${pattern}\u0000${zoneKey(zone)}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = new SharedCron(pattern, zone);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, entry);
  }
  return entry;
}

/** Number of shared patterns (tests, metrics). */
export function sharedPatternCount(): number {
  return cache.size;
}
