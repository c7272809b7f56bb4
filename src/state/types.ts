/**
 * The StateStore seam. It says nothing about SQL so a cluster-backed store can come later for several
 * daemons sharing work. Each part is its own interface; `sqlite.ts` implements them all on one database.
 */
import { VigilError } from '../errors.ts';
import type { WatchLogRecord, WatchState } from './records.ts';
import type { SecurityStore } from './security-types.ts';

export interface StateStore {
  readonly watchState: WatchStateStore;
  readonly log: WatchLogStore;
  readonly outbox: OutboxStore;
  /** Small JSON documents by key (key-check record, rotation progress, …). */
  readonly kv: KvStore;
  /** Users, roles, mappings, action groups, tenants, tokens, the audit log and the security configuration. */
  readonly security: SecurityStore;
  /**
   * Writes a run's outcome atomically and durably: the watch state, the outbox entries it decided to send
   * and/or its log record, all or nothing. Deciding to notify (state: episode, throttle) and recording the
   * notification (outbox) must never be separated by a crash, or a restart either loses the page or opens
   * a second incident for the same episode. Returns which entries were new (an existing key is left as is).
   * With `claim`, throws CONFLICT (writing nothing) when the watch's state already records that
   * scheduled time or a later one, or was changed by another writer since this store read it.
   */
  commit(c: RunCommit): Promise<{ enqueued: string[] }>;
  /**
   * Resolves once every write made so far (through any part of the store, or other tables of the same
   * database) is on disk. Write methods of the parts already wait for it; the API waits for it before it
   * answers, so a 200 is never taken back by a power loss.
   */
  durable(): Promise<void>;
  /**
   * Rejects, saying why (never with a credential), when the store cannot be used now: closed, or its
   * cluster not answering or not taking writes. The health probe calls it in the background.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The scheduled time (epoch ms) a stored state's last run was fired for, if any. */
export function lastScheduledTime(s: WatchState): number | undefined {
  const t = s.last_execution?.trigger?.scheduled_time;
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** The error of a commit whose run claim lost: that scheduled time (or a later one) ran already. */
export function claimLost(tenant: string, watchId: string, claim: number, stored: number, node?: string): VigilError {
  const by = node ? ` by ${node}` : '';
  return new VigilError('CONFLICT', `watch [${tenant}/${watchId}]: scheduled time ${new Date(claim).toISOString()} already run${by} (last scheduled time ${new Date(stored).toISOString()}); this run is dropped`);
}

/** An outbox entry delivered at `at` (epoch ms), after `attempts` attempts in all. */
export interface DeliveredMark {
  key: string;
  at: number;
  attempts: number;
}

export interface RunCommit {
  state?: { tenant: string; watchId: string; value: WatchState };
  /**
   * The run claim (several daemons): the scheduled time (epoch ms) this commit's run was fired for. The
   * commit applies only while the stored state's last scheduled time is earlier; otherwise another
   * daemon ran that time already and the commit fails with CONFLICT, having written nothing (state,
   * outbox entries, delivered marks and log record alike). Needs `state`.
   */
  claim?: number;
  enqueue?: Array<Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'>>;
  /** Outbox entries the run delivered (as `markDelivered`), recorded with its state and log. */
  delivered?: DeliveredMark[];
  log?: WatchLogRecord;
}

export interface WatchStateStore {
  /** A fresh object on every call: the caller may change it. */
  get(tenant: string, watchId: string): Promise<WatchState | undefined>;
  put(tenant: string, watchId: string, state: WatchState): Promise<void>;
  delete(tenant: string, watchId: string): Promise<void>;
  /**
   * Drops any copy of the watch's state this process keeps: another daemon may have written it since
   * (this one just became its owner). Stores only this process writes (SQLite) need not have it.
   */
  forget?(tenant: string, watchId: string): void;
  /**
   * Reads the watch's state again from where it is kept (another daemon may have written it). When
   * that read fails (its cluster away) the copy this process has stays: writes are compare-and-set,
   * so one made from a stale copy fails instead of overwriting. Stores only this process writes need
   * not have it.
   */
  refresh?(tenant: string, watchId: string): Promise<void>;
  /** Every watch whose state sets `active_override`: one read for a whole load. */
  activeOverrides(): Promise<Array<{ tenant: string; watchId: string; active: boolean }>>;
}

export interface WatchLogQuery {
  tenant?: string;
  watchId?: string;
  /** ISO time; records whose execution_end is at or after it. */
  since?: string;
  /** ISO time; records whose execution_end is before it. */
  until?: string;
  /** Records whose run status (`status.code`) is one of these. */
  status?: readonly string[];
  /** Records where an action or resolve action of this name ran (whatever its status). */
  action?: string;
  from?: number;
  size?: number;
}

export interface WatchLogStore {
  append(record: WatchLogRecord): Promise<void>;
  /** Newest first. */
  query(q: WatchLogQuery): Promise<WatchLogRecord[]>;
  /**
   * Keeps at most `maxRecords` newest records, removing at most `limit` of the oldest in this call (a
   * bounded transaction: see state/pruner.ts); returns how many were removed.
   */
  prune(maxRecords: number, limit?: number): Promise<number>;
}

/** `cancelled`: an operator discarded it (pending or failed) through the API; it is never sent again. */
export type OutboxStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** A page of outbox entries in one status, optionally of one tenant and watch. */
export interface OutboxListQuery {
  status: OutboxStatus;
  tenant?: string;
  watchId?: string;
  from?: number;
  /** Default 100. */
  size?: number;
}

/** How far behind delivery is, as the outbox holds it (read in the background for health and metrics). */
export interface OutboxStats {
  pending: number;
  /** Creation time (epoch ms) of the oldest pending entry; null when none is pending. */
  oldestPendingAt: number | null;
}

export interface OutboxEntry {
  /** The idempotency key doubles as the primary key: one entry per notification, however often it is enqueued. */
  key: string;
  tenant: string;
  watchId: string;
  action: string;
  actionType: string;
  accountId: string | null;
  episodeKey: string;
  /** The rendered notification, JSON (no secrets). */
  notification: unknown;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  /**
   * Epoch ms after which no further attempt is made. A daemon that takes the entry up later than it was
   * decided (resumed after a restart, claimed from another daemon) moves it on to a whole retry window
   * from then, and stores that (`extendDeadlines`, `OutboxClaims.claim`): the stored one is the one applied.
   */
  deadline: number;
  /**
   * The retry window as decided (ms: the first deadline minus `createdAt`). Kept however the deadline
   * moves on, so a window given again from a claim is as long as the first one, not longer. Stores
   * always fill it (from the first deadline for entries whose deadline never moved).
   */
  windowMs?: number;
  /** Epoch ms of the next attempt, for pending entries. */
  nextAttemptAt: number;
  lastError: string | null;
  finishedAt: number | null;
}

export interface OutboxStore {
  /**
   * Durably records a notification before its first attempt (fsync'd). Returns false, and changes
   * nothing, when an entry with the same key exists already: that is what makes a re-run after a crash
   * not send twice.
   */
  enqueue(entry: Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'>): Promise<boolean>;
  get(key: string): Promise<OutboxEntry | undefined>;
  /**
   * A failed attempt that is retried at `nextAttemptAt`: counts it and keeps its error. Pending entries
   * only: one finished or discarded meanwhile is left as it is.
   */
  recordAttempt(key: string, error: string | null, nextAttemptAt: number): Promise<void>;
  /**
   * Moves pending entries' deadlines on to these times, each only when later than its stored one (a
   * deadline never moves back), keeping its `windowMs`: a daemon taking them up late gives each a new
   * window and records it, so what the API shows is what is applied. Entries not pending are left as
   * they are.
   */
  extendDeadlines(moves: ReadonlyArray<{ key: string; deadline: number }>): Promise<void>;
  /**
   * Finishes an entry. `attempts` is how many attempts were made in all (the last, successful or
   * final one included, which no `recordAttempt` counted): the entry records it, never less than it
   * counted already, so marking twice is harmless.
   */
  markDelivered(key: string, at: number, attempts: number): Promise<void>;
  markFailed(key: string, error: string, at: number, attempts: number): Promise<void>;
  /**
   * Pending entries, oldest first (by creation time, then key), after `after` when given: resuming at
   * start claims them page by page, as room frees in the deliverer.
   */
  pending(limit?: number, after?: { createdAt: number; key: string }): Promise<OutboxEntry[]>;
  /** Removes delivered and failed entries finished before `olderThan`, at most `limit` of them; returns how many. */
  prune(olderThan: number, limit?: number): Promise<number>;
  /**
   * One page of entries in a status: pending ones oldest first (creation time, then key), finished
   * ones most recently finished first. A read after a write sees it.
   */
  list(q: OutboxListQuery): Promise<OutboxEntry[]>;
  /**
   * Makes a failed entry pending again (an operator's retry): its deadline and next attempt as given,
   * its attempts, last error and `windowMs` kept. Returns the entry as it is now, or undefined when no failed entry
   * has this key (nothing changes then).
   */
  requeue(key: string, o: { deadline: number; nextAttemptAt: number }): Promise<OutboxEntry | undefined>;
  /**
   * Discards a pending or failed entry (status `cancelled`, finished at `at`, `reason` as its last
   * error): it is never sent again, and its key still stops a re-run from notifying twice. Returns the
   * entry as it was before, or undefined when no pending or failed entry has this key.
   */
  cancel(key: string, reason: string, at: number): Promise<OutboxEntry | undefined>;
  stats(): Promise<OutboxStats>;
  /** Delivery claims, on an outbox several daemons share (the cluster backend with `claimLeaseMs`). */
  readonly claims?: OutboxClaims;
}

/** Who delivers a pending entry, until when (epoch ms): several daemons sharing one outbox. */
export interface DeliveryClaim {
  node: string;
  until: number;
}

/** A pending entry as the claims see it: its delivery order within its watch and its claim. */
export type ClaimedEntry = OutboxEntry & { seq: number; claim: DeliveryClaim | null };

/** A claim taken (the entry as stored), or not: held by another daemon, or the entry is not pending (null). */
export type ClaimOutcome = { ok: true; entry: ClaimedEntry } | { ok: false; heldBy: DeliveryClaim | null };

/**
 * Delivery claims on a shared outbox (the cluster backend): an entry is sent only by the daemon that
 * holds its claim, taken and extended with compare-and-set writes; a claim not extended within its
 * lease (its daemon died) can be taken by another daemon.
 */
export interface OutboxClaims {
  /**
   * Takes the claim of a pending entry for `node` until `until`: when it has none, holds it already,
   * or its claim expired before `now`. With `deadline`, the same write moves the entry's deadline on to
   * it when that is later (as `OutboxStore.extendDeadlines`). Returns the entry as stored (with that
   * deadline), or not ok when it is not pending or another daemon holds it.
   */
  claim(key: string, node: string, until: number, now: number, deadline?: number): Promise<ClaimOutcome>;
  /**
   * Extends `node`'s claims of these entries to `until`. Returns the keys it no longer holds or that
   * are finished (`lost`), and among them those an operator discarded meanwhile (`cancelled`): their
   * delivery must stop here.
   */
  renew(keys: string[], node: string, until: number): Promise<{ lost: string[]; cancelled: string[] }>;
  /** The claim another daemon than `node` holds on a pending entry at `now`, if any (a retry cannot start it here). */
  heldElsewhere(key: string, node: string, now: number): Promise<DeliveryClaim | null>;
  /**
   * Pending entries a daemon may take at `now`: unclaimed, claimed by `node` (a previous process of the
   * same name), or whose claim expired; in delivery order (`seq`), at most `limit`.
   */
  claimable(node: string, now: number, limit: number): Promise<ClaimedEntry[]>;
  /** A watch's pending entries before `seq` (its delivery order), whoever holds them, in that order. */
  pendingBefore(tenant: string, watchId: string, seq: number): Promise<ClaimedEntry[]>;
  /**
   * The pending entries of these watches (and possibly of others of the same ids in other tenants), in
   * delivery order, with one request; `complete` is false when there were more than one read returns.
   */
  pendingOf?(watches: ReadonlyArray<{ tenant: string; watchId: string }>): Promise<{ entries: ClaimedEntry[]; complete: boolean }>;
  /** Every pending entry, whoever holds it, in delivery order, at most `limit`. */
  pendingClaims(limit: number): Promise<ClaimedEntry[]>;
  /**
   * Gives up `node`'s claims of every pending entry (a clean stop): any daemon, whatever its name, may
   * take them at once instead of a lease later. Returns how many were given up.
   */
  release(node: string): Promise<number>;
}

export interface KvStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}
