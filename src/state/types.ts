/**
 * The StateStore seam. It says nothing about SQL so a cluster-backed store can come later for several
 * daemons sharing work. Each part is its own interface; `sqlite.ts` implements them all on one database.
 */
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

/** An outbox entry delivered at `at` (epoch ms), after `attempts` attempts in all. */
export interface DeliveredMark {
  key: string;
  at: number;
  attempts: number;
}

export interface RunCommit {
  state?: { tenant: string; watchId: string; value: WatchState };
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
  /** Epoch ms after which no further attempt is made. */
  deadline: number;
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
  /** A failed attempt that is retried at `nextAttemptAt`: counts it and keeps its error. */
  recordAttempt(key: string, error: string | null, nextAttemptAt: number): Promise<void>;
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
   * its attempts and last error kept. Returns the entry as it is now, or undefined when no failed entry
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
}

export interface KvStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}
