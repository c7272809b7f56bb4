/**
 * Which daemons are running, for several daemons sharing one cluster backend. Each daemon keeps one
 * document in `<prefix>-nodes` (id = its node name) and rewrites it every third of the lease with
 * `until = now + lease`; a daemon whose `until` has passed is gone. A clean stop deletes the document,
 * so the others notice at their next heartbeat instead of a lease later.
 *
 * A daemon also judges itself: once its own last acknowledged heartbeat is older than the lease (the
 * cluster unreachable, or the process paused), it counts itself out, since the others already do; it
 * is back in with its next acknowledged heartbeat. `until` is wall-clock time compared by the readers,
 * so the daemons' clocks must agree to well within the lease (NTP does).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { DocStoreClient } from '../../cluster/docstore-types.ts';
import { errorMessage } from '../../errors.ts';

/** A daemon as its heartbeat shows it. */
export interface Member {
  node: string;
  /** Changes when a process of the same name starts again. */
  instance: string;
  startedAt: number;
  heartbeatAt: number;
  until: number;
  /** What the daemon reported of itself at its last heartbeat. */
  stats: Record<string, unknown>;
  /** `until` is ahead (as of the last read). */
  live: boolean;
}

interface NodeSource {
  node: string;
  instance: string;
  started_at: number;
  heartbeat_at: number;
  until: number;
  stats: Record<string, unknown>;
}

export interface MembershipOptions {
  docs: DocStoreClient;
  /** The nodes index (`IndexNames.nodes`). */
  index: string;
  node: string;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  /** What this daemon says of itself in each heartbeat (owned watches, lag, …). */
  stats?: () => Record<string, unknown>;
}

/** How long a gone daemon's heartbeat stays listed (GET /_vigil/cluster shows it as gone) at least. */
const GONE_KEPT_MS = 3_600_000;

/** Delay of the second heartbeat after the first (see `start`): about a refresh interval of the cluster. */
const FIRST_REREAD_MS = 1000;

/** Daemons listed per read, at most: far more than anyone runs against one cluster. */
const MAX_MEMBERS = 1000;

export class Membership {
  readonly node: string;
  readonly instance = randomUUID();
  readonly #o: MembershipOptions;
  readonly #startedAt: number;
  readonly #listeners: Array<(live: readonly string[]) => void> = [];
  #members: Member[] = [];
  #live: readonly string[] = [];
  /** Monotonic time of this daemon's last acknowledged heartbeat. */
  #lastBeat = -Infinity;
  #timer: TimerHandle | null = null;
  /** Reads the membership when the earliest live lease of another daemon runs out (see #armExpiry). */
  #expiry: TimerHandle | null = null;
  #expiryAt = Infinity;
  #stopped = false;
  #failing = false;
  /** A heartbeat was tried: before that nothing is known of this daemon's membership. */
  #tried = false;
  /** Wall-clock time of the last acknowledged heartbeat, and why the last one failed (if it did). */
  #lastBeatAt: number | null = null;
  #lastError: string | null = null;
  /** Between `observe()` and the first heartbeat: this daemon counts itself in (it is loading what it will own). */
  #joining = false;
  #tick: Promise<void> = Promise.resolve();

  constructor(o: MembershipOptions) {
    this.#o = o;
    this.node = o.node;
    this.#startedAt = o.clock.now();
  }

  get leaseMs(): number {
    return this.#o.leaseMs;
  }

  /** Heartbeats every lease / 3. */
  get intervalMs(): number {
    return Math.max(100, Math.floor(this.#o.leaseMs / 3));
  }

  /**
   * Reads the others without announcing this daemon, which counts itself in until its first heartbeat:
   * a daemon that is starting schedules what it will own before the others hear of it and let go, so
   * no scheduled time falls between them (while both run a watch, the run claim decides).
   */
  async observe(): Promise<void> {
    this.#joining = true;
    try {
      this.#update(await this.#read());
    } catch (e) {
      this.#o.logger.warn({ node: this.node, err: errorMessage(e) }, 'membership: could not read the other daemons; this one counts itself alone until its first heartbeat');
      this.#update([]);
    }
  }

  /** Writes the first heartbeat and reads the others; then heartbeats every third of the lease. */
  async start(): Promise<void> {
    await this.beat();
    this.#joining = false;
    this.#update(this.#members);
    // Daemons started together each read the others right after their own first write, and may read
    // before the others wrote theirs: each would run every watch until its next heartbeat. The second
    // heartbeat comes sooner, so they find each other within a second or so.
    this.#arm(Math.min(this.intervalMs, FIRST_REREAD_MS));
  }

  /** Calls `fn` with the sorted names of the live daemons whenever that list changes. */
  onChange(fn: (live: readonly string[]) => void): void {
    this.#listeners.push(fn);
  }

  /** The live daemons' names, sorted; this one only while its own heartbeat is within the lease. */
  live(): readonly string[] {
    if (this.#live.includes(this.node) && !this.selfLive()) this.#update(this.#members);
    return this.#live;
  }

  /** Every daemon with a heartbeat document (gone ones until they are cleaned up), as last read. */
  members(): Member[] {
    return this.#members.map((m) => ({ ...m, stats: { ...m.stats } }));
  }

  /** This daemon's last acknowledged heartbeat is within the lease (by the monotonic clock). */
  selfLive(): boolean {
    return this.#joining || this.#o.clock.monotonic() - this.#lastBeat < this.#o.leaseMs;
  }

  /** For the health report: counted out once a heartbeat was tried and its own lease has passed without an acknowledged heartbeat. */
  status(): { countedOut: boolean; leaseMs: number; lastHeartbeatAt: number | null; lastError: string | null } {
    return { countedOut: this.#tried && !this.#stopped && !this.selfLive(), leaseMs: this.#o.leaseMs, lastHeartbeatAt: this.#lastBeatAt, lastError: this.#lastError };
  }

  /** One heartbeat now: write this daemon's document, read everyone's. Never throws. */
  beat(): Promise<void> {
    this.#tried = true;
    this.#tick = this.#tick.then(() => this.#beat());
    return this.#tick;
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const { docs, index, clock, leaseMs } = this.#o;
    const sentAt = clock.monotonic();
    const now = clock.now();
    const doc: NodeSource = { node: this.node, instance: this.instance, started_at: this.#startedAt, heartbeat_at: now, until: now + leaseMs, stats: this.#o.stats?.() ?? {} };
    try {
      await docs.write({ op: 'index', index, id: this.node, document: doc as never });
      // The lease runs from when the write was sent: the others may have read it as soon as then.
      this.#lastBeat = sentAt;
      this.#lastBeatAt = now;
      this.#lastError = null;
      const members = await this.#read();
      await this.#sweep(members, clock.now());
      if (this.#failing) this.#o.logger.info({ node: this.node }, 'membership: heartbeats acknowledged again');
      this.#failing = false;
      this.#update(members);
    } catch (e) {
      if (!this.#failing) this.#o.logger.warn({ node: this.node, err: errorMessage(e) }, 'membership: heartbeat failed; this daemon runs no watch once its lease has passed without one');
      this.#failing = true;
      this.#lastError = errorMessage(e);
      this.#update(this.#members);
    }
  }

  async #read(): Promise<Member[]> {
    const { docs, index, clock } = this.#o;
    await docs.refresh(index);
    const res = await docs.search<NodeSource>(index, { query: { match_all: {} }, sort: [{ node: 'asc' }], size: MAX_MEMBERS, track_total_hits: false });
    const at = clock.now();
    return res.hits.map((h): Member => ({
      node: h.source.node,
      instance: h.source.instance,
      startedAt: h.source.started_at,
      heartbeatAt: h.source.heartbeat_at,
      until: h.source.until,
      stats: h.source.stats ?? {},
      live: h.source.until > at,
    }));
  }

  /**
   * Heartbeats of daemons gone for long (a process killed never deletes its own; with the default
   * names, host and pid, each start leaves one) are removed, each with a compare-and-set on what was
   * read, so a daemon that just came back keeps its new heartbeat.
   */
  async #sweep(members: Member[], now: number): Promise<void> {
    const keepMs = Math.max(10 * this.#o.leaseMs, GONE_KEPT_MS);
    for (const m of members) {
      if (m.until >= now - keepMs || m.node === this.node) continue;
      const doc = await this.#o.docs.get<NodeSource>(this.#o.index, m.node);
      if (doc && doc.source.until === m.until) await this.#o.docs.delete(this.#o.index, m.node, { ifSeqNo: doc.seqNo, ifPrimaryTerm: doc.primaryTerm }).catch(() => false);
    }
  }

  #update(members: Member[]): void {
    this.#members = members;
    this.#armExpiry(members);
    const names = members.filter((m) => m.live && m.node !== this.node).map((m) => m.node);
    if (this.selfLive()) names.push(this.node);
    names.sort();
    if (names.length === this.#live.length && names.every((n, i) => n === this.#live[i])) return;
    const before = this.#live;
    this.#live = names;
    const joined = names.filter((n) => !before.includes(n));
    const left = before.filter((n) => !names.includes(n));
    this.#o.logger.info({ node: this.node, live: names, joined, left }, 'membership changed');
    for (const l of this.#listeners) l(names);
  }

  /**
   * A daemon that stopped heartbeating is gone once its lease runs out; waiting for this daemon's next
   * heartbeat to notice would add up to a third of the lease to every takeover. So the membership is
   * read again when the earliest lease of the others runs out. While they heartbeat, each heartbeat's
   * read moves that time on first and this read never happens.
   */
  #armExpiry(members: Member[]): void {
    if (this.#stopped) return;
    let at = Infinity;
    for (const m of members) if (m.live && m.node !== this.node && m.until < at) at = m.until;
    if (at === this.#expiryAt) return;
    if (this.#expiry !== null) this.#o.clock.clearTimeout(this.#expiry);
    this.#expiry = null;
    this.#expiryAt = at;
    if (at === Infinity) return;
    this.#expiry = this.#o.clock.setTimeout(() => {
      this.#expiry = null;
      this.#expiryAt = Infinity;
      this.#tick = this.#tick.then(() => this.#reread());
    }, Math.max(0, at - this.#o.clock.now()) + 1);
  }

  /** Reads who is live without heartbeating; a failure leaves the next heartbeat to read again. */
  async #reread(): Promise<void> {
    if (this.#stopped) return;
    try {
      this.#update(await this.#read());
    } catch (e) {
      this.#o.logger.debug({ node: this.node, err: errorMessage(e) }, 'membership: re-read at a lease expiry failed; the next heartbeat reads again');
    }
  }

  #arm(delayMs = this.intervalMs): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null;
      void this.beat().then(() => this.#arm());
    }, delayMs);
  }

  /** Stops heartbeating and deletes this daemon's document (if it is still this process's). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    if (this.#expiry !== null) this.#o.clock.clearTimeout(this.#expiry);
    await this.#tick;
    const { docs, index } = this.#o;
    try {
      const doc = await docs.get<NodeSource>(index, this.node);
      // A process of the same name started since (this one was paused): its heartbeat stays.
      if (doc?.source.instance === this.instance) await docs.delete(index, this.node, { ifSeqNo: doc.seqNo, ifPrimaryTerm: doc.primaryTerm });
    } catch (e) {
      this.#o.logger.warn({ node: this.node, err: errorMessage(e) }, 'membership: could not remove the heartbeat; the others notice once its lease has passed');
    }
  }
}
