/**
 * The scheduler: ONE min-heap of next fire times and ONE timer for all
 * watches, keyed on the monotonic clock. Watches due at the same instant share one heap node
 * (due-queue.ts), and per-watch state is a few hundred bytes (entry.ts).
 *
 * Two time bases meet here. Interval triggers live on the monotonic clock (anchor + k·interval), so a
 * wall-clock change does not move them. Calendar triggers (cron…monthly) live on the wall clock, so
 * they are converted to monotonic due times through the current offset `wall − monotonic`; when that
 * offset changes (the system clock was set), the heap is rebased:
 *  - forward: pending calendar fires become due at once and count as late; past the misfire threshold
 *    they run ONCE (EXECUTE_NOW) or are skipped (SKIP), never once per missed time;
 *  - backward: calendar next times are recomputed from the new wall time, so nothing stalls for the
 *    size of the jump. A small step back (≤ the misfire threshold) never re-runs a time that already
 *    ran; after a larger one, only the time fired just before the jump is protected, and the replayed
 *    window fires again (the run records carry the scheduled time for deduplication downstream).
 * Missed times within the threshold are coalesced into the one late fire, so a slow event loop cannot
 * trigger a burst of catch-up runs either.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { DueQueue } from './due-queue.ts';
import { Entry, TimeTable, IDLE } from './entry.ts';
import { LatenessHistogram } from './lateness.ts';
import type { Admission, FireInfo, RunFn, SchedulerOptions, SchedulerStats, UpsertOptions } from './types.ts';
import type { Schedule } from './triggers.ts';
import { RunSlots } from './run-slots.ts';
import { phaseOf, spreadAnchor, SPREAD_GRID_MS } from './spread.ts';
import { CoalescedLog } from './coalesced-log.ts';
import { calendarAfter, dueOf, nextWallOf } from './entry-times.ts';

export type { Admission, FireInfo, RunFn, SchedulerOptions, SchedulerStats, UpsertOptions } from './types.ts';

/** setTimeout's largest delay (~24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** An offset change below this is clock noise or slewing, not a jump. */
const JUMP_TOLERANCE_MS = 100;

export class Scheduler {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly misfireMs: number;
  private readonly maxSleepMs: number;
  private readonly spreadIntervals: boolean;
  private readonly alignIntervals: boolean;
  private readonly entries = new Map<string, Entry>();
  private readonly times = new TimeTable();
  private readonly dueQueue = new DueQueue<Entry>();
  private readonly slots: RunSlots;
  private readonly lateness = new LatenessHistogram();
  private readonly counters = { skippedOverlap: 0, deferred: 0, misfires: 0, skippedLate: 0, clockJumps: 0 };
  private readonly admission: Admission | null;
  /**
   * Due entries were left in the schedule (admission closed, or no slot and no room in the queue): no
   * timer runs until `resume()`, called when admission opens or a slot frees.
   */
  private held = false;
  /** Fires due at or before this monotonic time that fire from now on were held back (deferred). */
  private deferCutoff = -Infinity;
  private readonly heldLog: CoalescedLog;
  /** When admission last opened again (monotonic): a full queue soon after is delivery's doing. */
  private lastReopen = -Infinity;
  private readonly misfireLog: CoalescedLog;
  private readonly canTake = (): boolean => this.admitted() && this.slots.hasRoom();
  /** wall − monotonic, as of the last rebase. */
  private offset: number;
  private timer: TimerHandle | null = null;
  private timerDue = Infinity;
  private started = false;
  /** Inside onTimer's batch, right after a sync(). */
  private firing = false;
  private stopped = false;

  constructor(opts: SchedulerOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.slots = new RunSlots({
      clock: this.clock,
      logger: this.logger,
      concurrency: opts.concurrency ?? 32,
      queueLimit: opts.queueLimit ?? 10_000,
      lateness: this.lateness,
      admitted: () => this.admitted(),
      // In a wake-up's batch, the wall clock through the offset just synced: one clock read per run
      // instead of two. A queued run started later reads it (the clock may have been set meanwhile).
      triggeredNow: () => (this.firing ? this.clock.monotonic() + this.offset : this.clock.now()),
      onSlotFreed: () => {
        if (this.held && this.canTake()) this.resume();
      },
    });
    this.misfireMs = opts.misfireThresholdMs ?? 10_000;
    this.maxSleepMs = Math.min(MAX_TIMER_MS, Math.max(1, opts.maxSleepMs ?? 1000));
    this.spreadIntervals = opts.spreadIntervals ?? false;
    this.alignIntervals = opts.alignIntervals ?? false;
    this.offset = this.clock.now() - this.clock.monotonic();
    this.heldLog = new CoalescedLog(this.clock);
    this.misfireLog = new CoalescedLog(this.clock);
    this.admission = opts.admission ?? null;
    this.admission?.onOpen(() => {
      this.lastReopen = this.clock.monotonic();
      this.resume();
    });
  }

  /**
   * Adds or replaces a watch. Replacing keeps the interval anchor (a reload does not restart interval
   * timers), the overlap guard and a run in flight; the new `run` is used from the next fire on.
   * `o.lastRan`: see {@link UpsertOptions}.
   */
  upsert(id: string, schedule: Schedule, run: RunFn, o: UpsertOptions = {}): void {
    const { mono, wall } = this.sync();
    let e = this.entries.get(id);
    if (e) {
      e.schedule = schedule;
      e.run = run;
    } else {
      // Whole milliseconds: watches loaded in the same millisecond share a due-time slot (unspread).
      const loaded = Math.floor(mono);
      const every = schedule.shortestIntervalMs;
      e = new Entry(this.times, id, schedule, run, this.anchorOf(id, loaded, every));
      this.entries.set(id, e);
    }
    e.iNext = schedule.hasInterval ? (schedule.nextInterval(mono, e.anchorMono) ?? Number.NaN) : Number.NaN;
    e.cNext = calendarAfter(e, wall, this.misfireMs);
    if (o.lastRan !== undefined) this.catchUp(e, mono, wall, o.lastRan);
    this.place(e);
    if (e.dueMono < this.timerDue) this.arm();
  }

  /**
   * A time due since `lastRan` (wall) that did not run becomes the entry's next fire, at once: the
   * latest missed interval time (so its lateness stays under one interval), or the first missed calendar
   * time (the misfire policy then runs it once or skips it, as for any late fire).
   */
  private catchUp(e: Entry, mono: number, wall: number, lastRan: number): void {
    if (e.schedule.hasInterval) {
      const missed = e.schedule.lastInterval(mono, e.anchorMono);
      const missedWall = missed === null ? null : missed + this.offset;
      if (missedWall !== null && (this.alignIntervals ? Math.round(missedWall) : missedWall) > lastRan) e.iNext = missed!;
    }
    if (e.schedule.hasCalendar) {
      const missed = e.schedule.nextCalendar(lastRan);
      if (missed !== null && missed <= wall) e.cNext = missed;
    }
  }

  /**
   * Where a new watch's interval trigger is anchored (monotonic). Aligned: on the wall clock's grid,
   * `phase + k·interval` from the epoch, whatever the load time, so every daemon that schedules the
   * watch computes the same scheduled times (the phase is the spread's, or 0 unspread).
   */
  private anchorOf(id: string, loaded: number, every: number | null): number {
    if (every === null) return loaded;
    if (this.alignIntervals) {
      const phase = this.spreadIntervals ? SPREAD_GRID_MS * Math.floor((phaseOf(id) * every) / SPREAD_GRID_MS) : 0;
      // One offset for every watch (until a rebase): watches of the same phase share a due-time slot.
      return phase - this.offset;
    }
    return this.spreadIntervals ? spreadAnchor(id, loaded, every) : loaded;
  }

  /** Removes a watch; a run in flight finishes, a queued one is dropped. */
  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.dueQueue.unplace(e);
    this.slots.unqueue(e);
    e.dispose();
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Starts firing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.arm();
  }

  /** Stops firing, drops queued fires and resolves when every run in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.slots.stop();
  }

  stats(): SchedulerStats {
    return {
      watches: this.entries.size,
      ...this.counters,
      fired: this.slots.fired,
      paused: !this.admitted(),
      running: this.slots.running,
      finishing: this.slots.active - this.slots.running,
      queued: this.slots.queued,
      lateness: this.lateness.snapshot(),
    };
  }

  /** Wall time of a watch's next fire (null: never again or unknown id). */
  nextFire(id: string): number | null {
    const e = this.entries.get(id);
    return e ? nextWallOf(e, this.offset) : null;
  }

  // ---- time ----

  /** Reads both clocks, rebasing the heap first if the wall clock was changed. */
  private sync(): { mono: number; wall: number } {
    const mono = this.clock.monotonic();
    const wall = this.clock.now();
    const delta = wall - mono - this.offset;
    if (Math.abs(delta) > JUMP_TOLERANCE_MS) this.rebase(delta, wall);
    return { mono, wall };
  }

  private rebase(delta: number, wall: number): void {
    this.offset += delta;
    if (Math.abs(delta) >= 1000) {
      this.counters.clockJumps++;
      this.logger.warn({ jumpMs: Math.round(delta) }, 'wall clock changed; rescheduling calendar triggers');
    }
    for (const e of this.entries.values()) {
      // Forward: keep the pending time so it is handled as late (misfire policy). Backward: recompute.
      if (delta < 0 && !Number.isNaN(e.cNext)) e.cNext = calendarAfter(e, wall, this.misfireMs);
      e.dueMono = dueOf(e, this.offset);
    }
    this.dueQueue.rebuild(this.entries.values());
  }

  private place(e: Entry): void {
    e.dueMono = dueOf(e, this.offset);
    this.dueQueue.place(e);
  }

  // ---- timer ----

  private arm(): void {
    if (!this.started || this.stopped || this.held) return;
    const next = this.dueQueue.nextDue();
    const mono = this.clock.monotonic();
    const target = next === Infinity ? Infinity : Math.min(next, mono + this.maxSleepMs);
    if (target === this.timerDue && this.timer !== null) return;
    this.disarm();
    if (target === Infinity) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(target - mono)));
    this.timerDue = target;
    this.timer = this.clock.setTimeout(() => this.onTimer(), delay);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }

  private onTimer(): void {
    this.timer = null;
    this.timerDue = Infinity;
    if (this.stopped) return;
    const { mono, wall } = this.sync();
    // Runs queued for a slot were due before anything still in the schedule.
    this.slots.startQueued();
    if (this.held) {
      this.deferCutoff = mono;
      this.held = false;
    }
    this.firing = true;
    try {
      this.held = !this.dueQueue.takeDue(mono, (e) => this.fire(e, mono, wall), this.canTake);
    } finally {
      this.firing = false;
    }
    if (this.held && this.admitted()) this.logHeld();
    this.arm();
  }

  /** Takes held fires again on the next turn: admission opened, or a slot freed while fires were held. */
  private resume(): void {
    if (!this.started || this.stopped || (!this.held && this.slots.queued === 0) || this.timerDue === -Infinity) return;
    this.disarm();
    // Not from inside the caller (a run's bookkeeping, the deliverer's): on a turn of its own.
    this.timerDue = -Infinity;
    this.timer = this.clock.setTimeout(() => this.onTimer(), 0);
  }

  private admitted(): boolean {
    return this.admission?.open ?? true;
  }

  // ---- firing ----

  private fire(e: Entry, mono: number, wall: number): void {
    const dueMono = e.dueMono;
    const intervalDue = !Number.isNaN(e.iNext) && e.iNext <= mono;
    const calendarDue = !Number.isNaN(e.cNext) && e.cNext - this.offset <= mono;
    let scheduled = Math.min(intervalDue ? e.iNext + this.offset : Infinity, calendarDue ? e.cNext : Infinity);
    // Aligned times are whole milliseconds on every daemon: the sum above carries float noise.
    if (this.alignIntervals && scheduled !== Infinity) scheduled = Math.round(scheduled);
    if (scheduled === Infinity) return this.place(e); // not actually due (cannot happen while offset and keys agree)
    // Advance past every missed time at once: one late fire covers them all.
    if (intervalDue) e.iNext = e.schedule.nextInterval(mono, e.anchorMono) ?? Number.NaN;
    if (calendarDue) {
      e.prevCal = e.cNext;
      e.cNext = calendarAfter(e, wall, this.misfireMs);
    }
    const previous = Number.isNaN(e.prevScheduled) ? null : e.prevScheduled;
    e.prevScheduled = scheduled;
    this.place(e);

    if (dueMono <= this.deferCutoff) this.counters.deferred++;
    if (mono - dueMono > this.misfireMs) {
      this.counters.misfires++;
      const skip = e.schedule.whenLate === 'SKIP';
      if (skip) this.counters.skippedLate++;
      // Under overload thousands of watches miss their time together: one line a second says how many.
      this.misfireLog.note((count) =>
        this.logger.info(
          { watch: e.id, lateMs: Math.round(mono - dueMono), scheduled: new Date(scheduled).toISOString(), misfires: count, misfiresTotal: this.counters.misfires, skippedLateTotal: this.counters.skippedLate },
          skip ? 'trigger missed by more than the misfire threshold; skipped (when_late SKIP)' : 'trigger missed by more than the misfire threshold; running once now',
        ),
      );
      if (skip) return;
    }
    const info: FireInfo = {
      scheduledTime: scheduled,
      triggeredTime: wall,
      previousScheduledTime: previous,
      nextScheduledTime: nextWallOf(e, this.offset),
    };
    this.dispatch(e, info, dueMono);
  }

  private dispatch(e: Entry, info: FireInfo, dueMono: number): void {
    if (e.state !== IDLE) {
      this.counters.skippedOverlap++;
      this.logger.debug({ watch: e.id }, 'previous run still in progress; fire skipped');
      return;
    }
    this.slots.dispatch(e, info, dueMono);
  }

  /**
   * Fires held because every slot is busy and the run queue is full (the checks are the bottleneck: a
   * slow cluster, say). Holds for a closed admission are delivery's to report. At most one line a second.
   */
  private logHeld(): void {
    // Filled while admission was closed: the overload report covers it.
    if (this.clock.monotonic() - this.lastReopen < 10_000) return;
    this.heldLog.note((passes) =>
      this.logger.warn(
        { queueLimit: this.slots.queueLimit, running: this.slots.running, deferredTotal: this.counters.deferred, passes },
        'run queue full; due fires wait in the schedule for a free slot',
      ),
    );
  }
}
