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

export type RunFn = (fire: FireInfo) => Promise<void>;

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Runs in flight at once, all watches together. Default 32. */
  concurrency?: number;
  /** Fires waiting for a free slot; beyond this they are dropped, counted and logged. Default 10 000. */
  queueLimit?: number;
  /** A fire later than this is a misfire, handled by the schedule's `whenLate`. Default 10 000 ms. */
  misfireThresholdMs?: number;
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
  running: number;
  queued: number;
  /** start − scheduled time of every started run. */
  lateness: LatenessSnapshot;
}

