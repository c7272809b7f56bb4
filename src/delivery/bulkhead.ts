import { RunQueue } from '../schedule/run-queue.ts';

/**
 * Per-destination concurrency limit with a FIFO of deliveries waiting for a slot, so one slow receiver
 * cannot hold every delivery slot. Waiting is not an attempt and is never
 * refused: how much may wait in all is bounded upstream, by the deliverer's back-pressure on the
 * scheduler (backpressure.ts). `abortWaiting()` (the shutdown) ends every wait at once.
 *
 * Under overload ten thousand deliveries may wait on one destination: the FIFO takes from its head by
 * index (no `Array.shift`), and a waiter registers nothing on the shutdown signal (one listener per
 * waiter on one signal made every removal a scan of all of them).
 */
export class Bulkhead {
  private readonly limit: number;
  private readonly lanes = new Map<string, { active: number; waiting: RunQueue<(granted: boolean) => void> }>();
  private waitingTotal = 0;
  private aborted = false;

  constructor(limit = 4) {
    this.limit = limit;
  }

  /** Deliveries waiting for a slot, all destinations together. */
  get waiting(): number {
    return this.waitingTotal;
  }

  /** Runs `fn` in the destination's lane once it has a free slot; `aborted` (without running it) after `abortWaiting()`. */
  async run<T>(destination: string, fn: () => Promise<T>): Promise<T | 'aborted'> {
    if (this.aborted) return 'aborted';
    let lane = this.lanes.get(destination);
    if (!lane) this.lanes.set(destination, (lane = { active: 0, waiting: new RunQueue(Number.MAX_SAFE_INTEGER) }));
    if (lane.active >= this.limit) {
      this.waitingTotal++;
      const waiting = lane.waiting;
      const granted = await new Promise<boolean>((resolve) => waiting.push(resolve));
      this.waitingTotal--;
      // Not granted: the slot was never handed over, so there is nothing to give back.
      if (!granted) return 'aborted';
    } else {
      lane.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.aborted ? undefined : lane.waiting.shift();
      if (next) next(true);
      else if (--lane.active === 0) this.lanes.delete(destination);
    }
  }

  /** Ends every wait (they return `aborted`) and every later one; deliveries already sending go on to their own end. */
  abortWaiting(): void {
    this.aborted = true;
    for (const lane of this.lanes.values()) for (const w of lane.waiting.drain()) w(false);
  }

  stats(): Record<string, { active: number; queued: number }> {
    const out: Record<string, { active: number; queued: number }> = {};
    for (const [k, v] of this.lanes) out[k] = { active: v.active, queued: v.waiting.size };
    return out;
  }
}
