/**
 * What the daemon hears of the state store's link to the cluster that holds it (the cluster backend):
 * its changes, logged and handed on (health checks the store at once: its report and the store
 * metrics come from that check), and an admission for the scheduler. While the
 * store's write queue is full no run starts (fires wait in the schedule, as when delivery is
 * saturated); runs meanwhile keep deciding within the bound, and nothing is delivered before the
 * cluster acknowledged its commit.
 */
import type { Logger } from 'pino';
import type { Admission } from '../schedule/types.ts';
import type { StoreHealth } from '../state/cluster/index.ts';

export class StoreLink implements Admission {
  #health: StoreHealth = { healthy: true, full: false, queued: 0 };
  readonly #openListeners: Array<() => void> = [];
  #logger: Logger | undefined;
  #changed: (() => void) | undefined;

  /** The store's `onHealth`. */
  readonly onHealth = (h: StoreHealth): void => {
    const was = this.#health;
    this.#health = h;
    this.#changed?.();
    // Becoming unhealthy is logged by the store itself, with the reason.
    if (!was.healthy && h.healthy) this.#logger?.info({ queued: h.queued }, 'state store: the cluster takes writes again; held writes are being sent');
    if (!was.full && h.full) this.#logger?.warn({ queued: h.queued }, 'state store: write queue full; no run starts until the cluster takes writes again');
    if (was.full && !h.full) {
      this.#logger?.info({ queued: h.queued }, 'state store: write queue has room again; runs resume');
      for (const l of this.#openListeners) l();
    }
  };

  /** Where transitions are logged, and who hears of each change (the runtime's, once it is wired). */
  attach(logger: Logger, changed: () => void): void {
    this.#logger = logger;
    this.#changed = changed;
  }

  get open(): boolean {
    return !this.#health.full;
  }

  onOpen(listener: () => void): void {
    this.#openListeners.push(listener);
  }
}
