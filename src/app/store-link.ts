/**
 * What the daemon hears of the state store's link to the cluster that holds it (the cluster backend):
 * health for `/_vigil/health`, the log and the metrics, and an admission for the scheduler. While the
 * store's write queue is full no run starts (fires wait in the schedule, as when delivery is
 * saturated); runs meanwhile keep deciding within the bound, and nothing is delivered before the
 * cluster acknowledged its commit.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import type { Admission } from '../schedule/types.ts';
import type { StoreHealth } from '../state/cluster/index.ts';

export class StoreLink implements Admission {
  #health: StoreHealth = { healthy: true, full: false, queued: 0 };
  readonly #openListeners: Array<() => void> = [];
  #logger: Logger | undefined;
  #metrics: Metrics | undefined;

  /** The store's `onHealth`. */
  readonly onHealth = (h: StoreHealth): void => {
    const was = this.#health;
    this.#health = h;
    this.#metrics?.stateStoreHealthy.set(h.healthy ? 1 : 0);
    this.#metrics?.stateStoreQueued.set(h.queued);
    // Becoming unhealthy is logged by the store itself, with the reason.
    if (!was.healthy && h.healthy) this.#logger?.info({ queued: h.queued }, 'state store: the cluster takes writes again; held writes are being sent');
    if (!was.full && h.full) this.#logger?.warn({ queued: h.queued }, 'state store: write queue full; no run starts until the cluster takes writes again');
    if (was.full && !h.full) {
      this.#logger?.info({ queued: h.queued }, 'state store: write queue has room again; runs resume');
      for (const l of this.#openListeners) l();
    }
  };

  /** Where transitions are logged and counted (the runtime's, once it is wired). */
  attach(logger: Logger, metrics: Metrics): void {
    this.#logger = logger;
    this.#metrics = metrics;
    metrics.stateStoreHealthy.set(this.#health.healthy ? 1 : 0);
    metrics.stateStoreQueued.set(this.#health.queued);
  }

  get health(): StoreHealth {
    return this.#health;
  }

  get open(): boolean {
    return !this.#health.full;
  }

  onOpen(listener: () => void): void {
    this.#openListeners.push(listener);
  }
}
