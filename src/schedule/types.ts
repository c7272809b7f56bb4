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
 * clusters), so runs waiting for a slow receiver do not hold every slot (REFERENCE scenario 44).
 * `releaseSlot` is idempotent within its run and must not be kept past it: it is the watch's, reused
 * by its next run.
 */
export type RunFn = (fire: FireInfo, releaseSlot: () => void) => Promise<void>;

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Runs in flight at once, all watches together. Default 32. */
  concurrency?: number;
  /** Fires waiting for a free slot; beyond this they are dropped, counted and logged. Default 10 000. */
  queueLimit?: number;
  /** A fire later than this is a misfire, handled by the schedule's `whenLate`. Default 10 000 ms. */
  misfireThresholdMs?: number;
  /**
   * Spread interval triggers over their interval by a hash of the watch key (spread.ts) instead of
   * anchoring them all at their load time. Default false here (exact anchors); the daemon's config
   * turns it on (`scheduler.spread_intervals`).
   */
  spreadIntervals?: boolean;
  /** Longest sleep between wake-ups, which bounds how late a wall-clock change is noticed. Default 1 000 ms. */
  maxSleepMs?: number;
}

export interface SchedulerStats {
  watches: number;
  /** Runs started. */
  fired: number;
  /** Fires skipped because the previous run of the same watch was still running or queued. */
  skippedOverlap: number;
  /** Fires dropped because the queue was full. */
  droppedQueueFull: number;
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

