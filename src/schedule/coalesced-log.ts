import type { Clock } from '../clock.ts';

/**
 * One kind of event that can happen thousands of times a second (a fire held back, a trigger missed
 * under overload) written as at most one log line per `everyMs`: the first event writes at once, later
 * ones are counted and reported by the next line. Never silent, never a flood.
 */
export class CoalescedLog {
  private readonly clock: Clock;
  private readonly everyMs: number;
  private last = -Infinity;
  private pending = 0;

  constructor(clock: Clock, everyMs = 1_000) {
    this.clock = clock;
    this.everyMs = everyMs;
  }

  /** Counts one event; calls `write` with the events since the last line when a line is due. */
  note(write: (count: number) => void): void {
    this.pending++;
    const now = this.clock.monotonic();
    if (now - this.last < this.everyMs) return;
    const count = this.pending;
    this.last = now;
    this.pending = 0;
    write(count);
  }
}
