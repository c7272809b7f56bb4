/**
 * The scheduler (ARCHITECTURE "Scheduler"): ONE min-heap of next fire times and ONE timer for all
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
import { errorMessage } from '../errors.ts';
import { DueQueue } from './due-queue.ts';
import { Entry, TimeTable, IDLE, QUEUED, RUNNING, type RunHooks } from './entry.ts';
import { LatenessHistogram } from './lateness.ts';
import type { FireInfo, RunFn, SchedulerOptions, SchedulerStats } from './types.ts';
import type { Schedule } from './triggers.ts';
import { RunQueue } from './run-queue.ts';
import { spreadAnchor } from './spread.ts';

export type { FireInfo, RunFn, SchedulerOptions, SchedulerStats } from './types.ts';

/** A fire waiting for (or given) a run slot. */
interface QueuedRun<E> {
  entry: E;
  info: FireInfo;
  /** Monotonic due time, for lateness measured at the actual start. */
  dueMono: number;
}

/** setTimeout's largest delay (~24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** An offset change below this is clock noise or slewing, not a jump. */
const JUMP_TOLERANCE_MS = 100;

export class Scheduler {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly misfireMs: number;
  private readonly maxSleepMs: number;
  private readonly spreadIntervals: boolean;
  private readonly entries = new Map<string, Entry>();
  private readonly times = new TimeTable();
  private readonly dueQueue = new DueQueue<Entry>();
  private readonly queue: RunQueue<QueuedRun<Entry>>;
  private readonly lateness = new LatenessHistogram();
  private readonly counters = { fired: 0, skippedOverlap: 0, droppedQueueFull: 0, misfires: 0, skippedLate: 0, clockJumps: 0 };
  /** wall − monotonic, as of the last rebase. */
  private offset: number;
  private timer: TimerHandle | null = null;
  private timerDue = Infinity;
  private started = false;
  /** Inside onTimer's batch, right after a sync(). */
  private firing = false;
  private stopped = false;
  /** Runs holding a slot. */
  private running = 0;
  /** Runs in flight, with or without a slot. */
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  private lastDropLog = -Infinity;
  private dropsSinceLog = 0;

  constructor(opts: SchedulerOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
    this.queue = new RunQueue(Math.max(0, opts.queueLimit ?? 10_000));
    this.misfireMs = opts.misfireThresholdMs ?? 10_000;
    this.maxSleepMs = Math.min(MAX_TIMER_MS, Math.max(1, opts.maxSleepMs ?? 1000));
    this.spreadIntervals = opts.spreadIntervals ?? false;
    this.offset = this.clock.now() - this.clock.monotonic();
  }

  /**
   * Adds or replaces a watch. Replacing keeps the interval anchor (a reload does not restart interval
   * timers), the overlap guard and a run in flight; the new `run` is used from the next fire on.
   */
  upsert(id: string, schedule: Schedule, run: RunFn): void {
    const { mono, wall } = this.sync();
    let e = this.entries.get(id);
    if (e) {
      e.schedule = schedule;
      e.run = run;
    } else {
      // Whole milliseconds: watches loaded in the same millisecond share a due-time slot (unspread).
      const loaded = Math.floor(mono);
      const every = schedule.shortestIntervalMs;
      e = new Entry(this.times, id, schedule, run, this.spreadIntervals && every !== null ? spreadAnchor(id, loaded, every) : loaded);
      this.entries.set(id, e);
    }
    e.iNext = schedule.hasInterval ? (schedule.nextInterval(mono, e.anchorMono) ?? Number.NaN) : Number.NaN;
    e.cNext = this.calendarAfter(e, wall);
    this.place(e);
    if (e.dueMono < this.timerDue) this.arm();
  }

  /** Removes a watch; a run in flight finishes, a queued one is dropped. */
  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.dueQueue.unplace(e);
    if (e.state === QUEUED) {
      this.queue.remove((q) => q.entry === e);
      e.state = IDLE;
    }
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
    for (const q of this.queue.drain()) q.entry.state = IDLE;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): SchedulerStats {
    return {
      watches: this.entries.size,
      ...this.counters,
      running: this.running,
      finishing: this.active - this.running,
      queued: this.queue.size,
      lateness: this.lateness.snapshot(),
    };
  }

  /** Wall time of a watch's next fire (null: never again or unknown id). */
  nextFire(id: string): number | null {
    const e = this.entries.get(id);
    return e ? this.nextWall(e) : null;
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
      if (delta < 0 && !Number.isNaN(e.cNext)) e.cNext = this.calendarAfter(e, wall);
      e.dueMono = this.due(e);
    }
    this.dueQueue.rebuild(this.entries.values());
  }

  /** The next calendar time strictly after `wall`, without re-firing the last one after a clock step back. */
  private calendarAfter(e: Entry, wall: number): number {
    if (!e.schedule.hasCalendar) return Number.NaN;
    let base = wall;
    // A small step back: continue after the last fired time instead of repeating it.
    if (e.prevCal > wall && e.prevCal - wall <= this.misfireMs) base = e.prevCal;
    let t = e.schedule.nextCalendar(base);
    if (t !== null && t === e.prevCal) t = e.schedule.nextCalendar(t);
    return t ?? Number.NaN;
  }

  private due(e: Entry): number {
    const i = Number.isNaN(e.iNext) ? Infinity : e.iNext;
    const c = Number.isNaN(e.cNext) ? Infinity : e.cNext - this.offset;
    return i < c ? i : c;
  }

  private nextWall(e: Entry): number | null {
    const d = this.due(e);
    if (d === Infinity) return null;
    return d === e.iNext ? e.iNext + this.offset : e.cNext;
  }

  private place(e: Entry): void {
    e.dueMono = this.due(e);
    this.dueQueue.place(e);
  }

  // ---- timer ----

  private arm(): void {
    if (!this.started || this.stopped) return;
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
    this.firing = true;
    try {
      this.dueQueue.takeDue(mono, (e) => this.fire(e, mono, wall));
    } finally {
      this.firing = false;
    }
    this.arm();
  }

  // ---- firing ----

  private fire(e: Entry, mono: number, wall: number): void {
    const dueMono = e.dueMono;
    const intervalDue = !Number.isNaN(e.iNext) && e.iNext <= mono;
    const calendarDue = !Number.isNaN(e.cNext) && e.cNext - this.offset <= mono;
    const scheduled = Math.min(intervalDue ? e.iNext + this.offset : Infinity, calendarDue ? e.cNext : Infinity);
    if (scheduled === Infinity) return this.place(e); // not actually due (cannot happen while offset and keys agree)
    // Advance past every missed time at once: one late fire covers them all.
    if (intervalDue) e.iNext = e.schedule.nextInterval(mono, e.anchorMono) ?? Number.NaN;
    if (calendarDue) {
      e.prevCal = e.cNext;
      e.cNext = this.calendarAfter(e, wall);
    }
    const previous = Number.isNaN(e.prevScheduled) ? null : e.prevScheduled;
    e.prevScheduled = scheduled;
    this.place(e);

    if (mono - dueMono > this.misfireMs) {
      this.counters.misfires++;
      const late = { watch: e.id, lateMs: Math.round(mono - dueMono), scheduled: new Date(scheduled).toISOString() };
      if (e.schedule.whenLate === 'SKIP') {
        this.counters.skippedLate++;
        this.logger.info(late, 'trigger missed by more than the misfire threshold; skipped (when_late SKIP)');
        return;
      }
      this.logger.info(late, 'trigger missed by more than the misfire threshold; running once now');
    }
    const info: FireInfo = {
      scheduledTime: scheduled,
      triggeredTime: wall,
      previousScheduledTime: previous,
      nextScheduledTime: this.nextWall(e),
    };
    this.dispatch(e, info, dueMono);
  }

  private dispatch(e: Entry, info: FireInfo, dueMono: number): void {
    if (e.state !== IDLE) {
      this.counters.skippedOverlap++;
      this.logger.debug({ watch: e.id }, 'previous run still in progress; fire skipped');
    } else if (this.running < this.concurrency) {
      this.begin(e, info, dueMono);
    } else if (this.queue.push({ entry: e, info, dueMono })) {
      e.state = QUEUED;
    } else {
      this.counters.droppedQueueFull++;
      this.logDrop(e.id);
    }
  }

  private begin(e: Entry, info: FireInfo, dueMono: number): void {
    e.state = RUNNING;
    e.holdsSlot = true;
    this.running++;
    this.active++;
    this.counters.fired++;
    const mono = this.clock.monotonic();
    this.lateness.record(mono - dueMono);
    // In a wake-up's batch, the wall clock through the offset just synced: one clock read per run
    // instead of two. A queued run started later reads it (the clock may have been set meanwhile).
    info.triggeredTime = this.firing ? mono + this.offset : this.clock.now();
    const hooks = this.hooksOf(e);
    let done: Promise<void>;
    try {
      done = e.run(info, hooks.release);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(hooks.settled, hooks.failed);
  }

  /**
   * The callbacks of an entry's runs, made on its first fire and reused: a watch has one run at a
   * time, so they need no per-run state, and 10 000 runs starting in the same millisecond then
   * allocate no closures (less garbage collected in the middle of a batch, which is what delays its
   * last runs).
   */
  private hooksOf(e: Entry): RunHooks {
    return (e.hooks ??= {
      release: () => {
        if (!e.holdsSlot) return;
        e.holdsSlot = false;
        this.freeSlot();
      },
      settled: () => this.settled(e),
      failed: (err: unknown) => {
        this.logger.error({ watch: e.id, err: errorMessage(err) }, 'watch run failed');
        this.settled(e);
      },
    });
  }

  private settled(e: Entry): void {
    e.state = IDLE;
    this.active--;
    if (e.holdsSlot) e.hooks!.release();
    else this.notifyIdle();
  }

  private freeSlot(): void {
    this.running--;
    if (!this.stopped) {
      while (this.running < this.concurrency) {
        const next = this.queue.shift();
        if (!next) break;
        this.begin(next.entry, next.info, next.dueMono);
      }
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.active === 0 && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Drops are never silent, but a full queue must not flood the log either: at most one line a second. */
  private logDrop(id: string): void {
    this.dropsSinceLog++;
    const now = this.clock.monotonic();
    if (now - this.lastDropLog >= 1000) {
      this.logger.warn(
        { watch: id, dropped: this.dropsSinceLog, droppedTotal: this.counters.droppedQueueFull, queueLimit: this.queue.limit },
        'run queue full; fire dropped',
      );
      this.lastDropLog = now;
      this.dropsSinceLog = 0;
    }
  }
}
