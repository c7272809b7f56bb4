/**
 * The scheduler's public shapes: what a run is told, how the scheduler is configured, what it reports.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { LatenessSnapshot } from './lateness.ts';

/** What a run is told about the fire that started it. Times are wall-clock epoch ms. */
export interface FireInfo {
  scheduledTime: number;
  triggeredTime: number;
  previousScheduledTime: number | null;
  nextScheduledTime: number | null;
}

/**
 * One run of a watch. The run holds one of the `concurrency` slots until it calls `releaseSlot` or
 * finishes; the watch itself counts as running (no overlapping run of it starts) until the promise
 * settles. Watch runs release their slot once their checks are done (the slots bound the load on the
 * clusters), so runs waiting for a slow receiver do not hold every slot.
 * `releaseSlot` is idempotent within its run and must not be kept past it: it is the watch's, reused
 * by its next run.
 */
export type RunFn = (fire: FireInfo, releaseSlot: () => void) => Promise<void>;

/**
 * Back-pressure from what runs feed (delivery): while `open` is false the scheduler starts no run. Fires
 * due meanwhile wait in the schedule, in order, and the misfire policy decides what a late one does
 * once it opens again; memory does not grow with the wait.
 */
export interface Admission {
  readonly open: boolean;
  /** Calls `listener` each time `open` turns true. */
  onOpen(listener: () => void): void;
}

/** How `Scheduler.upsert` places a watch. */
export interface UpsertOptions {
  /**
   * Wall time of the last scheduled time of this watch that ran (by any daemon, from its stored state):
   * a time due since then that nobody ran fires at once instead of waiting for the next one. Given when
   * a daemon takes a watch over from another that stopped running it.
   */
  lastRan?: number;
}

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Runs in flight at once, all watches together. Default 32. */
  concurrency?: number;
  /**
   * Fires waiting for a free slot. When it is full, further due fires wait in the schedule itself (in
   * due order, counted as deferred) until a slot frees; none is dropped. Default 10 000.
   */
  queueLimit?: number;
  /** Back-pressure from delivery; none: always open. */
  admission?: Admission;
  /** A fire later than this is a misfire, handled by the schedule's `whenLate`. Default 10 000 ms. */
  misfireThresholdMs?: number;
  /**
   * Spread interval triggers over their interval by a hash of the watch key (spread.ts) instead of
   * anchoring them all at their load time. Default false here (exact anchors); the daemon's config
   * turns it on (`scheduler.spread_intervals`).
   */
  spreadIntervals?: boolean;
  /**
   * Anchor interval triggers on the wall clock (`phase + k·interval` since the epoch) instead of at the
   * load time, so that daemons sharing the watches compute the same scheduled times for a watch, and a
   * watch that moves to another daemon keeps its times. Default false.
   */
  alignIntervals?: boolean;
  /** Longest sleep between wake-ups, which bounds how late a wall-clock change is noticed. Default 1 000 ms. */
  maxSleepMs?: number;
}

export interface SchedulerStats {
  watches: number;
  /** Runs started. */
  fired: number;
  /** Fires skipped because the previous run of the same watch was still running or queued. */
  skippedOverlap: number;
  /**
   * Fires that waited in the schedule past their time because delivery was saturated (admission closed)
   * or the run queue was full; each then ran late or, past the misfire threshold, as `when_late` says.
   */
  deferred: number;
  /** Admission is closed now: no run starts. */
  paused: boolean;
  /** Fires later than the misfire threshold (run once or skipped, per `when_late`). */
  misfires: number;
  /** Misfires skipped under `when_late: SKIP`. */
  skippedLate: number;
  /** Wall-clock changes detected. */
  clockJumps: number;
  /** Runs holding a slot. */
  running: number;
  /** Runs that released their slot and are finishing (waiting for deliveries). */
  finishing: number;
  queued: number;
  /** start − scheduled time of every started run. */
  lateness: LatenessSnapshot;
}

