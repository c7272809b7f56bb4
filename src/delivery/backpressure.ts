/**
 * Back-pressure from delivery to scheduling. Every notification a run hands to the deliverer is held in
 * memory until it is delivered, fails or is cut short (being sent, waiting for its destination, or
 * between retries): that is the backlog. At `limit` delivery is saturated and admission closes (the
 * scheduler starts no run; fires wait in the schedule); it opens again once the backlog is down to
 * three quarters of the limit, so that it does not flap on every delivery and the deliverer still has
 * work queued while the scheduler refills it.
 */
export class Backpressure {
  readonly limit: number;
  /** Admission opens again at or below this backlog. */
  readonly resumeAt: number;
  private backlog = 0;
  private isOpen = true;
  private readonly openListeners: Array<() => void> = [];
  private readonly changeListeners: Array<(open: boolean) => void> = [];

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
    this.resumeAt = Math.floor((this.limit * 3) / 4);
  }

  /** False while delivery is saturated. */
  get open(): boolean {
    return this.isOpen;
  }

  /** Called with the backlog each time it changes. */
  update(backlog: number): void {
    this.backlog = backlog;
    if (this.isOpen && backlog >= this.limit) this.set(false);
    else if (!this.isOpen && backlog <= this.resumeAt) this.set(true);
  }

  get size(): number {
    return this.backlog;
  }

  /** Calls `listener` each time admission opens again (the scheduler resumes). */
  onOpen(listener: () => void): void {
    this.openListeners.push(listener);
  }

  /** Calls `listener` on every change (reporting). */
  onChange(listener: (open: boolean) => void): void {
    this.changeListeners.push(listener);
  }

  private set(open: boolean): void {
    this.isOpen = open;
    for (const l of this.changeListeners) l(open);
    if (open) for (const l of this.openListeners) l();
  }
}
