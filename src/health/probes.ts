/**
 * What health cannot learn from the daemon's own work: whether each configured cluster answers,
 * whether the state store can be used, and how far behind the outbox is. Checked in the background,
 * one round every `intervalMs` (a round never overlaps the previous one), so that a health request
 * only reads the last results and never waits for I/O.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { OutboxStats } from '../state/types.ts';

export interface ProbeTargets {
  /** The configured clusters, and a fresh reachability check of one (never a cached answer). */
  clusters: { names(): string[]; probe(name: string, o: { timeoutMs: number }): Promise<unknown> };
  store: { ping(): Promise<void>; outbox: { stats(): Promise<OutboxStats> } };
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
  store: { ok: boolean; error?: string; checkedAt: number } | null;
  outbox: (OutboxStats & { checkedAt: number }) | null;
}

export interface ProberOptions extends ProbeTargets {
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  timeoutMs: number;
  /** Hears each round's results (metrics). */
  onRound?: (r: ProbeResults) => void;
}

export class Prober {
  readonly #o: ProberOptions;
  readonly results: ProbeResults = { clusters: new Map(), store: null, outbox: null };
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
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
  }

  /** Checks the state store now, outside the rounds (the start, which must know before it says ready). */
  checkStore(): Promise<void> {
    return this.#store();
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
    await Promise.all([...this.#o.clusters.names().map((n) => this.#cluster(n)), this.#store()]);
    this.#o.onRound?.(this.results);
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

  /** Checks the state store (and reads the outbox figures) now. */
  async #store(): Promise<void> {
    const { clock, logger, store } = this.#o;
    const was = this.results.store?.ok;
    try {
      await store.ping();
      this.results.store = { ok: true, checkedAt: clock.now() };
      const stats = await store.outbox.stats();
      this.results.outbox = { ...stats, checkedAt: clock.now() };
    } catch (e) {
      this.results.store = { ok: false, error: errorMessage(e), checkedAt: clock.now() };
      if (was !== false) logger.error({ error: errorMessage(e) }, 'state store unavailable');
      return;
    }
    if (was === false) logger.info('state store available again');
  }
}
