/**
 * Periodic refresh, as a shard does it: every `index.refresh_interval` (1 s by default, counted from
 * the index's creation) writes made since the last refresh become visible to search; `-1` leaves it
 * to explicit refreshes. `refresh=wait_for` waits for the next refresh that makes the write visible.
 * Timers run on an injected Clock, so tests drive refreshes with a fake clock; a timer is armed only
 * while an index has unrefreshed writes or a waiter, so an idle cluster holds none.
 */
import type { Clock, TimerHandle } from '../../src/clock.ts';

/** What the scheduler needs to know about an index. */
export interface Refreshable {
  readonly name: string;
  /** Monotonic time of creation; periodic refreshes fall on multiples of the interval from it. */
  readonly createdMono: number;
  /** Writes not yet visible to search. */
  readonly dirty: boolean;
  intervalMs(): number;
}

export class Refresher {
  readonly #clock: Clock;
  readonly #refresh: (index: Refreshable) => void;
  readonly #timers = new Map<Refreshable, TimerHandle>();
  readonly #waiters = new Map<Refreshable, Array<() => void>>();

  /** @param refresh makes an index's writes searchable; called when a periodic refresh is due. */
  constructor(clock: Clock, refresh: (index: Refreshable) => void) {
    this.#clock = clock;
    this.#refresh = refresh;
  }

  /** An index received a write: make sure its next periodic refresh is scheduled. */
  written(index: Refreshable): void {
    this.#arm(index);
  }

  /** Resolves once the index's current writes are searchable (at once when they already are). */
  waitFor(index: Refreshable): Promise<void> {
    if (!index.dirty) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const list = this.#waiters.get(index) ?? [];
      list.push(resolve);
      this.#waiters.set(index, list);
      this.#arm(index);
    });
  }

  /** The index was refreshed (periodically or explicitly): wake its waiters, drop its timer. */
  refreshed(index: Refreshable): void {
    const t = this.#timers.get(index);
    if (t !== undefined) this.#clock.clearTimeout(t);
    this.#timers.delete(index);
    const waiters = this.#waiters.get(index);
    this.#waiters.delete(index);
    for (const w of waiters ?? []) w();
  }

  /** The index is gone; nothing will refresh it again. */
  forget(index: Refreshable): void {
    this.refreshed(index);
  }

  close(): void {
    for (const index of [...this.#timers.keys()]) this.refreshed(index);
    for (const index of [...this.#waiters.keys()]) this.refreshed(index);
  }

  #arm(index: Refreshable): void {
    const interval = index.intervalMs();
    if (interval <= 0 || this.#timers.has(index)) return;
    const since = this.#clock.monotonic() - index.createdMono;
    const delay = interval - (since % interval);
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(index);
      this.#refresh(index);
    }, delay);
    // A test cluster must never keep a process alive on its own.
    (handle as { unref?: () => void }).unref?.();
    this.#timers.set(index, handle);
  }
}
