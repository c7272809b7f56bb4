import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import type { SchedulerStats } from '../schedule/types.ts';

export interface OverloadMonitorOptions {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Delivery's back-pressure: closed while saturated. */
  pressure: { readonly open: boolean; readonly limit: number; readonly size: number; onChange(listener: (open: boolean) => void): void };
  scheduler(): SchedulerStats;
  /** Per destination: deliveries being sent and waiting. */
  destinations(): Record<string, { active: number; queued: number }>;
  /** How long admission must stay open before the overload counts as over. Default 10 s. */
  quietMs?: number;
  /** While overloaded, one reminder line this often. Default 10 s. */
  everyMs?: number;
}

/**
 * Says when the daemon is overloaded: a warning when delivery saturates (the scheduler holds fires
 * back), a reminder every 10 s while it lasts with what it cost (fires deferred, missed, skipped), and
 * one line when it is over; `vigil_overloaded` follows the same state. Saturation flaps around its
 * limit many times a second under overload, so it counts as over only once admission has stayed open
 * for `quietMs`.
 */
export class OverloadMonitor {
  private readonly o: OverloadMonitorOptions;
  private isOverloaded = false;
  private since = 0;
  private at: { deferred: number; misfires: number; skippedLate: number; skippedOverlap: number } | null = null;
  private quiet: TimerHandle | null = null;
  private reminder: TimerHandle | null = null;
  private stopped = false;

  constructor(o: OverloadMonitorOptions) {
    this.o = o;
    o.metrics.overloaded.set(0);
    o.pressure.onChange((open) => (open ? this.opened() : this.saturated()));
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  /** True from the first saturation until delivery has had room for `quietMs` (what `vigil_overloaded` says). */
  get overloaded(): boolean {
    return this.isOverloaded;
  }

  private saturated(): void {
    if (this.stopped) return;
    if (this.quiet !== null) this.o.clock.clearTimeout(this.quiet);
    this.quiet = null;
    if (this.isOverloaded) return;
    this.isOverloaded = true;
    this.since = this.o.clock.monotonic();
    this.at = this.counts();
    this.o.metrics.overloaded.set(1);
    this.o.logger.warn(
      { backlog: this.o.pressure.size, limit: this.o.pressure.limit, busiest: this.busiest() },
      'overloaded: delivery is saturated; no new run starts until its backlog drains (due fires wait, late ones follow when_late)',
    );
    this.remind();
  }

  private opened(): void {
    if (this.stopped || !this.isOverloaded || this.quiet !== null) return;
    this.quiet = this.o.clock.setTimeout(() => {
      this.quiet = null;
      if (!this.o.pressure.open) return;
      this.isOverloaded = false;
      this.o.metrics.overloaded.set(0);
      this.clear();
      this.o.logger.info({ lastedMs: Math.round(this.o.clock.monotonic() - this.since), ...this.cost() }, 'no longer overloaded');
    }, this.o.quietMs ?? 10_000);
  }

  private remind(): void {
    this.reminder = this.o.clock.setTimeout(() => {
      this.reminder = null;
      if (!this.isOverloaded || this.stopped) return;
      // Room at the moment (it may be ending): no reminder, but keep watching.
      if (this.quiet !== null) return this.remind();
      this.o.logger.warn(
        { backlog: this.o.pressure.size, limit: this.o.pressure.limit, forMs: Math.round(this.o.clock.monotonic() - this.since), ...this.cost(), busiest: this.busiest() },
        'still overloaded: delivery is saturated',
      );
      this.remind();
    }, this.o.everyMs ?? 10_000);
  }

  private counts() {
    const { deferred, misfires, skippedLate, skippedOverlap } = this.o.scheduler();
    return { deferred, misfires, skippedLate, skippedOverlap };
  }

  /** What the overload cost since it began: fires that waited, missed their time, were skipped. */
  private cost() {
    const now = this.counts();
    const at = this.at ?? now;
    return {
      deferredFires: now.deferred - at.deferred,
      misfires: now.misfires - at.misfires,
      skippedLate: now.skippedLate - at.skippedLate,
      skippedOverlap: now.skippedOverlap - at.skippedOverlap,
    };
  }

  /** The three destinations with the most deliveries waiting. */
  private busiest(): Array<{ destination: string; active: number; queued: number }> {
    return Object.entries(this.o.destinations())
      .map(([destination, v]) => ({ destination, ...v }))
      .sort((a, b) => b.queued - a.queued)
      .slice(0, 3);
  }

  private clear(): void {
    if (this.quiet !== null) this.o.clock.clearTimeout(this.quiet);
    if (this.reminder !== null) this.o.clock.clearTimeout(this.reminder);
    this.quiet = this.reminder = null;
  }
}
