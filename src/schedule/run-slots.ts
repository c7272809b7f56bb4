/**
 * The scheduler's run slots: at most `concurrency` runs doing their checks at once, a bounded FIFO of
 * fires waiting for a slot, and the count of runs in flight (with or without a slot) that `stop()`
 * waits for. The scheduler decides what fires; this decides when a fire it handed over starts.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { errorMessage } from '../errors.ts';
import { IDLE, QUEUED, RUNNING, type Entry, type RunHooks } from './entry.ts';
import type { LatenessHistogram } from './lateness.ts';
import { RunQueue } from './run-queue.ts';
import type { FireInfo } from './types.ts';

/** A fire waiting for (or given) a run slot. */
interface QueuedRun {
  entry: Entry;
  info: FireInfo;
  /** Monotonic due time, for lateness measured at the actual start. */
  dueMono: number;
}

export interface RunSlotsOptions {
  clock: Clock;
  logger: Logger;
  concurrency: number;
  queueLimit: number;
  lateness: LatenessHistogram;
  /** Whether runs may start now (back-pressure); queued runs wait while it says no. */
  admitted(): boolean;
  /** The wall-clock time a run starting now is triggered at (the scheduler's synced clocks). */
  triggeredNow(): number;
  /** A slot freed and queued runs had their turn: the scheduler may take held fires again. */
  onSlotFreed(): void;
}

export class RunSlots {
  private readonly o: RunSlotsOptions;
  private readonly queue: RunQueue<QueuedRun>;
  private readonly concurrency: number;
  /** Runs holding a slot. */
  running = 0;
  /** Runs in flight, with or without a slot. */
  active = 0;
  /** Runs started. */
  fired = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(o: RunSlotsOptions) {
    this.o = o;
    this.concurrency = Math.max(1, o.concurrency);
    this.queue = new RunQueue(Math.max(0, o.queueLimit));
  }

  get queued(): number {
    return this.queue.size;
  }

  get queueLimit(): number {
    return this.queue.limit;
  }

  /** A fire handed over now would start or be queued (there is a free slot or room in the queue). */
  hasRoom(): boolean {
    return this.running < this.concurrency || this.queue.size < this.queue.limit;
  }

  /**
   * Starts the fire's run, or queues it. The caller checked that the entry is idle and that there is
   * room ({@link hasRoom}): a fire that would not fit stays in the schedule instead of being dropped.
   */
  dispatch(e: Entry, info: FireInfo, dueMono: number): void {
    if (this.running < this.concurrency) {
      this.begin(e, info, dueMono);
    } else if (this.queue.push({ entry: e, info, dueMono })) {
      e.state = QUEUED;
    } else {
      throw new Error('run queue full: dispatch without room');
    }
  }

  /** Starts queued runs while there are free slots and admission is open. */
  startQueued(): void {
    while (!this.stopped && this.running < this.concurrency && this.o.admitted()) {
      const next = this.queue.shift();
      if (!next) break;
      this.begin(next.entry, next.info, next.dueMono);
    }
  }

  /** Drops the queued fire of a removed watch. */
  unqueue(e: Entry): void {
    if (e.state !== QUEUED) return;
    this.queue.remove((q) => q.entry === e);
    e.state = IDLE;
  }

  /** Drops queued fires and resolves when every run in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const q of this.queue.drain()) q.entry.state = IDLE;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private begin(e: Entry, info: FireInfo, dueMono: number): void {
    e.state = RUNNING;
    e.holdsSlot = true;
    this.running++;
    this.active++;
    this.fired++;
    this.o.lateness.record(this.o.clock.monotonic() - dueMono);
    info.triggeredTime = this.o.triggeredNow();
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
        this.o.logger.error({ watch: e.id, err: errorMessage(err) }, 'watch run failed');
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
      this.startQueued();
      this.o.onSlotFreed();
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.active === 0 && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
