/**
 * What health cannot learn from the daemon's own work: whether each configured cluster answers,
 * whether the state store can be used (and, on the cluster backend, how full its write queue is), and
 * how far behind the outbox is. Checked in the background, one round every `intervalMs` (a round never
 * overlaps the previous one), so that a health request only reads the last results and never waits for
 * I/O. The state store is also checked at once when it reports a change itself (`checkStore`).
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { OutboxStats } from '../state/types.ts';

export interface ProbeTargets {
  /** The configured clusters, and a fresh reachability check of one (never a cached answer). */
  clusters: { names(): string[]; probe(name: string, o: { timeoutMs: number }): Promise<unknown> };
  store: { ping(): Promise<void>; outbox: { stats(): Promise<OutboxStats> } };
  /**
   * The state store's write queue, read with each check of the store: the cluster backend holds writes
   * in memory while its cluster does not acknowledge them. Absent: writes are not queued (SQLite).
   */
  writeQueue?: () => WriteQueue;
}

export interface WriteQueue {
  /** Writes held until the store acknowledges them (in flight included). */
  queued: number;
  /** At its limit: writers wait, and no run starts. */
  full: boolean;
}

export interface StoreProbe {
  ok: boolean;
  /** Why it cannot be used (never a credential). */
  error?: string;
  checkedAt: number;
  /** The write queue when the store was checked, where there is one. */
  writes?: WriteQueue;
}

export interface ClusterProbe {
  reachable: boolean;
  /** Why not (a ClusterError message: never a credential). */
  error?: string;
  /** When it last answered, and when this state began (epoch ms). */
  since: number;
  checkedAt: number;
}

export interface ProbeResults {
  clusters: Map<string, ClusterProbe>;
  store: StoreProbe | null;
  outbox: (OutboxStats & { checkedAt: number }) | null;
}

export interface ProberOptions extends ProbeTargets {
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  timeoutMs: number;
  /** Hears the results after each round and after each check of the state store alone (metrics). */
  onResults?: (r: ProbeResults) => void;
}

export class Prober {
  readonly #o: ProberOptions;
  readonly results: ProbeResults = { clusters: new Map(), store: null, outbox: null };
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  /** The state store's check under way, and whether another must follow it (a change it may have missed). */
  #storeCheck: Promise<void> | null = null;
  #storeAgain = false;
  #stopped = false;

  constructor(o: ProberOptions) {
    this.#o = o;
  }

  /** Runs a round now, then one every interval until `stop`. */
  start(): void {
    if (this.#timer !== null || this.#stopped) return;
    void this.round();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    await this.#storeCheck;
  }

  /**
   * Checks the state store now, outside the rounds: at the start, which must know before it says
   * ready, and when the store reports a change. Checks never overlap: one asked for while another runs
   * follows it, so the last result is never older than the last change. Nothing once stopped.
   */
  checkStore(): Promise<void> {
    if (this.#stopped) return this.#storeCheck ?? Promise.resolve();
    if (this.#storeCheck) {
      this.#storeAgain = true;
      return this.#storeCheck;
    }
    const run = async (): Promise<void> => {
      do {
        this.#storeAgain = false;
        await this.#store();
        this.#o.onResults?.(this.results);
      } while (this.#storeAgain && !this.#stopped);
    };
    this.#storeCheck = run().finally(() => {
      this.#storeCheck = null;
    });
    return this.#storeCheck;
  }

  /** One round of checks (a round already running is joined, not repeated). */
  round(): Promise<void> {
    this.#running ??= this.#round().finally(() => {
      this.#running = null;
      if (!this.#stopped) this.#timer = this.#o.clock.setTimeout(() => void this.round(), this.#o.intervalMs);
    });
    return this.#running;
  }

  async #round(): Promise<void> {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.all([...this.#o.clusters.names().map((n) => this.#cluster(n)), this.checkStore()]);
    this.#o.onResults?.(this.results);
  }

  async #cluster(name: string): Promise<void> {
    const { clock, logger } = this.#o;
    const before = this.results.clusters.get(name);
    let error: string | undefined;
    try {
      await this.#o.clusters.probe(name, { timeoutMs: this.#o.timeoutMs });
    } catch (e) {
      error = errorMessage(e);
    }
    const now = clock.now();
    const reachable = error === undefined;
    const changed = before?.reachable !== reachable;
    this.results.clusters.set(name, { reachable, ...(error ? { error } : {}), since: changed ? now : before!.since, checkedAt: now });
    if (changed && !reachable) logger.warn({ cluster: name, error }, 'cluster unreachable: watches searching it fail until it answers');
    else if (changed && before) logger.info({ cluster: name, downMs: now - before.since }, 'cluster reachable again');
  }

  /** Checks the state store (and reads the write queue and the outbox figures) now. */
  async #store(): Promise<void> {
    const { clock, logger, store } = this.#o;
    const was = this.results.store?.ok;
    const queue = () => (this.#o.writeQueue ? { writes: this.#o.writeQueue() } : {});
    try {
      await store.ping();
      this.results.store = { ok: true, checkedAt: clock.now(), ...queue() };
      const stats = await store.outbox.stats();
      this.results.outbox = { ...stats, checkedAt: clock.now() };
    } catch (e) {
      this.results.store = { ok: false, error: errorMessage(e), checkedAt: clock.now(), ...queue() };
      if (was !== false) logger.error({ error: errorMessage(e) }, 'state store unavailable');
      return;
    }
    if (was === false) logger.info('state store available again');
  }
}
