/**
 * Per-destination concurrency limit with a bounded FIFO queue, so one slow receiver cannot hold every
 * delivery slot (REFERENCE scenario 44). A full queue is reported to the caller, which postpones the
 * attempt (the entry stays pending in the outbox: postponed, never dropped).
 */
export class Bulkhead {
  private readonly limit: number;
  private readonly queueLimit: number;
  private readonly lanes = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(limit = 4, queueLimit = 10_000) {
    this.limit = limit;
    this.queueLimit = queueLimit;
  }

  /** Runs `fn` in the destination's lane; returns `queue_full` without running it when the lane is full. */
  async run<T>(destination: string, fn: () => Promise<T>): Promise<T | 'queue_full'> {
    let lane = this.lanes.get(destination);
    if (!lane) this.lanes.set(destination, (lane = { active: 0, waiting: [] }));
    if (lane.active >= this.limit) {
      if (lane.waiting.length >= this.queueLimit) return 'queue_full';
      await new Promise<void>((resolve) => lane!.waiting.push(resolve));
    } else {
      lane.active++;
    }
    try {
      return await fn();
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else if (--lane.active === 0) this.lanes.delete(destination);
    }
  }

  stats(): Record<string, { active: number; queued: number }> {
    const out: Record<string, { active: number; queued: number }> = {};
    for (const [k, v] of this.lanes) out[k] = { active: v.active, queued: v.waiting.length };
    return out;
  }
}
