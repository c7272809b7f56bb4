/**
 * Delivery from an outbox several daemons share (the cluster backend). The rules:
 *  - a daemon sends an entry only while it holds the entry's claim, taken with a compare-and-set and
 *    extended every third of the lease while the delivery goes on (attempts, backoff);
 *  - a daemon that dies stops extending: once a claim's lease has passed, the sweep of any live daemon
 *    (every third of the lease) takes the entry over;
 *  - a watch's entries go out in their order (`seq`: a PagerDuty trigger before its resolve): in one
 *    daemon they are sent one after another, and an entry is taken over only when no earlier entry of
 *    its watch is still held by another daemon; a daemon that just became a watch's owner holds its
 *    new notifications until the previous owner's are finished (`adopt`).
 * A claim lost while sending (the process was paused past its lease) can repeat that one send: at most
 * one duplicate, under the same idempotency key.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { ClaimedEntry, OutboxClaims, OutboxEntry } from '../state/types.ts';
import { errorMessage } from '../errors.ts';

export interface SharedOutboxOptions {
  claims: OutboxClaims;
  node: string;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
}

/** What the shared outbox needs of the deliverer. */
export interface DeliverySink {
  /** Hands an entry this daemon may take to delivery (it claims it before the first attempt). */
  deliver(entry: OutboxEntry): void;
  /** Is this entry being delivered by this process? */
  delivering(key: string): boolean;
  /** Notifications delivery can take now. */
  room(): number;
}

const watchOf = (e: { tenant: string; watchId: string }): string => `${e.tenant}/${e.watchId}`;

export class SharedOutbox {
  readonly #o: SharedOutboxOptions;
  /** Keys this process is delivering, whose claims it extends. */
  readonly #held = new Set<string>();
  /**
   * Keys waiting in a watch's queue here: claims this daemon made when it created them are extended
   * too (a wait behind an earlier delivery is no reason to lose them).
   */
  readonly #queued = new Set<string>();
  /** Per key held: until when this process last made its claim (at the claim or its last extension). */
  readonly #until = new Map<string, number>();
  /** Per watch: the end of the last delivery queued in this process. */
  readonly #chains = new Map<string, Promise<unknown>>();
  #sink: DeliverySink | null = null;
  /**
   * Watches gained lately, until when: their previous owner may still be running them for a heartbeat
   * or so, deciding entries this daemon's adopt did not see, so each send first looks for earlier ones.
   */
  readonly #gained = new Map<string, number>();
  #timer: TimerHandle | null = null;
  #stopped = false;
  #tick: Promise<void> = Promise.resolve();

  constructor(o: SharedOutboxOptions) {
    this.#o = o;
  }

  get node(): string {
    return this.#o.node;
  }

  /** Runs `fn` once every delivery of the same watch queued before it in this process has ended. */
  inOrder<T>(e: { tenant: string; watchId: string; key?: string }, fn: () => Promise<T>): Promise<T> {
    const k = watchOf(e);
    const before = this.#chains.get(k) ?? Promise.resolve();
    const key = e.key;
    if (key !== undefined) this.#queued.add(key);
    const start = () => {
      if (key !== undefined) this.#queued.delete(key);
      return fn();
    };
    const run = before.then(start, start);
    const end = run.then(() => undefined, () => undefined);
    this.#chains.set(k, end);
    void end.then(() => {
      if (this.#chains.get(k) === end) this.#chains.delete(k);
    });
    return run;
  }

  /**
   * Takes the entry's claim before its first attempt, moving its stored deadline on to `deadline` in
   * the same write when that is later. Returns the entry as stored (attempts, deadline) or null when
   * another daemon holds it or it is finished: then this process does not send it.
   */
  async acquire(key: string, deadline?: number): Promise<ClaimedEntry | null> {
    const now = this.#o.clock.now();
    const r = await this.#o.claims.claim(key, this.#o.node, now + this.#o.leaseMs, now, deadline);
    if (!r.ok) return null;
    this.#held.add(key);
    this.#until.set(key, now + this.#o.leaseMs);
    return r.entry;
  }

  release(key: string): void {
    this.#held.delete(key);
    this.#until.delete(key);
  }

  /**
   * Right before an attempt: may this process still send the entry? While its claim is well ahead
   * (extended on time) yes, with no request; otherwise (this process was paused, or its extensions
   * failed) it takes the claim again first, and gives up when another daemon took the entry meanwhile
   * and may have sent it: a PagerDuty trigger resent after the new holder's resolve would open a new
   * incident.
   */
  async stillHeld(key: string): Promise<boolean> {
    const now = this.#o.clock.now();
    const until = this.#until.get(key);
    if (until !== undefined && until - now > this.#o.leaseMs / 3) return true;
    const r = await this.#o.claims.claim(key, this.#o.node, now + this.#o.leaseMs, now);
    if (!r.ok) return false;
    if (this.#held.has(key)) this.#until.set(key, now + this.#o.leaseMs);
    return true;
  }

  /** Resolves once the current round (extending claims, then a sweep) has ended. */
  idle(): Promise<void> {
    return this.#tick;
  }

  /** Starts extending claims and sweeping for entries to take over, the first sweep now. */
  start(sink: DeliverySink): void {
    this.#sink = sink;
    this.#run();
  }

  #run(): void {
    if (this.#stopped) return;
    this.#tick = this.#renew().then(() => this.#sweep()).catch((e: unknown) => this.#o.logger.warn({ err: errorMessage(e) }, 'shared outbox: sweep failed; retried at the next one'));
    void this.#tick.then(() => {
      if (!this.#stopped) this.#timer = this.#o.clock.setTimeout(() => this.#run(), Math.max(100, Math.floor(this.#o.leaseMs / 3)));
    });
  }

  async #renew(): Promise<void> {
    if (this.#held.size === 0 && this.#queued.size === 0) return;
    const keys = [...this.#held, ...this.#queued];
    const until = this.#o.clock.now() + this.#o.leaseMs;
    const { lost, cancelled } = await this.#o.claims.renew(keys, this.#o.node, until);
    const gone = new Set(lost);
    for (const k of keys) if (!gone.has(k) && this.#until.has(k)) this.#until.set(k, Math.max(until, this.#until.get(k)!));
    // Discarded through another daemon's API: no further attempt here (a queued one is never claimed).
    for (const k of cancelled) if (this.#held.has(k)) this.onCancelled?.(k);
    // Finished entries leave on their own; what is left was taken by another daemon (this one stalled).
    const discarded = new Set(cancelled);
    const taken = lost.filter((k) => this.#held.has(k) && !this.#queued.has(k) && !discarded.has(k));
    if (taken.length) this.#o.logger.warn({ entries: taken.length }, 'shared outbox: delivery claims lost (this daemon stalled past its lease); another daemon may send them too');
  }

  /**
   * Takes over what no live daemon holds: per watch in `seq` order, up to the first entry another
   * daemon still holds (a later one must not overtake it).
   */
  async #sweep(): Promise<void> {
    const sink = this.#sink;
    if (!sink || sink.room() <= 0) return;
    const now = this.#o.clock.now();
    const pending = await this.#o.claims.pendingClaims(Math.max(sink.room(), 1));
    const blocked = new Set<string>();
    let taken = 0;
    for (const e of pending) {
      const w = watchOf(e);
      if (blocked.has(w) || sink.delivering(e.key)) continue;
      const free = !e.claim || e.claim.until < now || e.claim.node === this.#o.node;
      if (!free) {
        blocked.add(w);
        continue;
      }
      if (sink.room() <= 0) break;
      // Its retry window starts again when the deliverer claims it (Deliverer: deadlineFromNow, stored with the claim).
      sink.deliver(e);
      taken++;
    }
    if (taken) this.#o.logger.info({ node: this.#o.node, entries: taken }, 'shared outbox: pending deliveries taken over');
  }

  /**
   * This daemon became the owner of these watches (`tenant/id`), or started: their new notifications
   * wait (in order) until the entries another daemon, or a previous process of this name, still holds
   * are finished or taken over here. The wait is queued at once, before anything of theirs can be.
   */
  adopt(watches: ReadonlySet<string>): Promise<void> {
    if (watches.size === 0 || this.#stopped) return Promise.resolve();
    const gates = new Map<string, (list: ClaimedEntry[]) => void>();
    const until = this.#o.clock.now() + 2 * this.#o.leaseMs;
    for (const w of watches) {
      this.#gained.set(w, until);
      const [tenant, ...rest] = w.split('/');
      const gate = new Promise<ClaimedEntry[]>((resolve) => gates.set(w, resolve));
      void this.inOrder({ tenant: tenant!, watchId: rest.join('/') }, () => gate.then((list) => this.#drain(list)));
    }
    const open = (found: Map<string, ClaimedEntry[]>) => {
      for (const [w, resolve] of gates) resolve(found.get(w) ?? []);
    };
    return this.#o.claims.pendingClaims(Number.MAX_SAFE_INTEGER).then(
      (pending) => {
        const earlier = new Map<string, ClaimedEntry[]>();
        for (const e of pending) {
          const w = watchOf(e);
          if (!gates.has(w) || this.#sink?.delivering(e.key)) continue;
          earlier.set(w, [...(earlier.get(w) ?? []), e]);
        }
        open(earlier);
      },
      (e: unknown) => {
        open(new Map());
        throw e;
      },
    );
  }

  /**
   * Before this daemon sends `e` of a watch it gained lately: the watch's earlier entries, decided by
   * its previous owner meanwhile, go first (waited for while another daemon holds them, else sent here).
   * Resolves true when there were any (time went by: `e`'s window starts after them).
   */
  async before(e: ClaimedEntry): Promise<boolean> {
    const w = watchOf(e);
    const until = this.#gained.get(w);
    if (until === undefined) return false;
    if (until < this.#o.clock.now()) {
      this.#gained.delete(w);
      return false;
    }
    const earlier = (await this.#earlier(e)).filter((x) => x.key !== e.key && !this.#held.has(x.key));
    if (earlier.length) await this.#drain(earlier);
    return earlier.length > 0;
  }

  /** Lookups of earlier entries asked for in the same turn, answered together. */
  #lookups: Array<{ e: ClaimedEntry; resolve: (l: ClaimedEntry[]) => void; reject: (err: unknown) => void }> = [];

  /**
   * A watch's pending entries before `e`. After a takeover every send of the gained watches asks, for
   * two leases: one search each (with its refresh) made hundreds a second and saturated the cluster, so
   * the lookups of one turn go out as one search; when that one cannot return them all, each is asked alone.
   */
  #earlier(e: ClaimedEntry): Promise<ClaimedEntry[]> {
    if (!this.#o.claims.pendingOf) return this.#o.claims.pendingBefore(e.tenant, e.watchId, e.seq);
    return new Promise((resolve, reject) => {
      if (this.#lookups.push({ e, resolve, reject }) === 1) setImmediate(() => void this.#lookUp());
    });
  }

  async #lookUp(): Promise<void> {
    const batch = this.#lookups;
    this.#lookups = [];
    const claims = this.#o.claims;
    try {
      const { entries, complete } = await claims.pendingOf!(batch.map((b) => b.e));
      for (const b of batch) {
        const { tenant, watchId, seq } = b.e;
        if (complete) b.resolve(entries.filter((x) => x.tenant === tenant && x.watchId === watchId && x.seq < seq));
        else claims.pendingBefore(tenant, watchId, seq).then(b.resolve, b.reject);
      }
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Waits for, or takes over, a watch's earlier entries one by one. */
  async #drain(list: ClaimedEntry[]): Promise<void> {
    for (const e of list) {
      for (;;) {
        if (this.#stopped) return;
        const now = this.#o.clock.now();
        const r = await this.#o.claims.claim(e.key, this.#o.node, now + this.#o.leaseMs, now);
        if (r.ok) {
          // Ours now: sent here, in order (the deliverer takes the claim again, which it holds).
          await this.sendNow?.(r.entry);
          break;
        }
        if (r.heldBy === null) break;
        await this.#sleep(Math.max(100, Math.floor(this.#o.leaseMs / 3)));
      }
    }
  }

  /** Set by the deliverer: stops the delivery of an entry an operator discarded (seen at a claim renewal). */
  onCancelled: ((key: string) => void) | null = null;

  /** The claim another live daemon holds on a pending entry, if any. */
  heldElsewhere(key: string): Promise<{ node: string; until: number } | null> {
    return this.#o.claims.heldElsewhere(key, this.#o.node, this.#o.clock.now());
  }

  /** Set by the deliverer: sends an entry now, outside the watch's queue (the drain is already in it). */
  sendNow: ((e: OutboxEntry) => Promise<unknown>) | null = null;

  readonly #sleepers = new Set<() => void>();

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#sleepers.delete(done);
        this.#o.clock.clearTimeout(t);
        resolve();
      };
      const t = this.#o.clock.setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }

  /**
   * Stops sweeping and extending claims, and ends the waits for entries other daemons hold (the entries
   * queued behind them end as their deliveries are aborted). What this process still holds is taken
   * over after its lease, or at once after `handOver`.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    for (const wake of [...this.#sleepers]) wake();
    await this.#tick;
  }

  /**
   * A clean stop, once this process's deliveries have ended: gives up its claims of the entries still
   * pending (aborted at the end of the grace period, queued behind them, or committed and not yet
   * sent), so the next daemon to sweep takes them at once, whatever its name. A failure only leaves
   * them to their lease.
   */
  async handOver(): Promise<void> {
    try {
      const released = await this.#o.claims.release(this.#o.node);
      if (released) this.#o.logger.info({ node: this.#o.node, entries: released }, 'shared outbox: pending deliveries handed over');
    } catch (e) {
      this.#o.logger.warn({ err: errorMessage(e) }, 'shared outbox: handing over pending deliveries failed; they are taken over after their lease');
    }
  }
}
