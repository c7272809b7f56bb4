import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { OutboxEntry, OutboxListQuery, OutboxStats, OutboxStore } from '../types.ts';
import type { Batch } from './group-commit.ts';

interface Row {
  key: string;
  tenant: string;
  watch_id: string;
  action: string;
  action_type: string;
  account_id: string | null;
  episode_key: string;
  notification: string;
  status: OutboxEntry['status'];
  attempts: number;
  created_at: number;
  deadline: number;
  /** Null until the deadline first moves (or in a table written before it existed). */
  window_ms: number | null;
  next_attempt_at: number;
  last_error: string | null;
  finished_at: number | null;
}

function toEntry(r: Row): OutboxEntry {
  return {
    key: r.key,
    tenant: r.tenant,
    watchId: r.watch_id,
    action: r.action,
    actionType: r.action_type,
    accountId: r.account_id,
    episodeKey: r.episode_key,
    notification: JSON.parse(r.notification),
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    deadline: r.deadline,
    windowMs: r.window_ms ?? r.deadline - r.created_at,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    finishedAt: r.finished_at,
  };
}

/**
 * The durable outbox. Every write goes through the store's group commit, which resolves only once the
 * transaction is fsync'd: once `enqueue` resolves the notification survives a SIGKILL or a power cut.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly insert: StatementSync;
  private readonly getStmt: StatementSync;
  private readonly attempt: StatementSync;
  private readonly extendStmt: StatementSync;
  private readonly finish: StatementSync;
  private readonly pendingStmt: StatementSync;
  private readonly pendingAfterStmt: StatementSync;
  private readonly pruneStmt: StatementSync;
  private readonly requeueStmt: StatementSync;
  private readonly cancelStmt: StatementSync;
  private readonly statsStmt: StatementSync;
  private readonly db: DatabaseSync;

  private readonly batch: Batch;

  constructor(db: DatabaseSync, batch: Batch) {
    this.db = db;
    this.batch = batch;
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      key TEXT PRIMARY KEY, tenant TEXT NOT NULL, watch_id TEXT NOT NULL, action TEXT NOT NULL,
      action_type TEXT NOT NULL, account_id TEXT, episode_key TEXT NOT NULL, notification TEXT NOT NULL,
      status TEXT NOT NULL, attempts INTEGER NOT NULL, created_at INTEGER NOT NULL, deadline INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL, last_error TEXT, finished_at INTEGER, window_ms INTEGER)`);
    const columns = (db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>).map((c) => c.name);
    if (!columns.includes('window_ms')) db.exec('ALTER TABLE outbox ADD COLUMN window_ms INTEGER');
    db.exec("CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, created_at) WHERE status = 'pending'");
    // Finished entries by age, for pruning: without it every pruning pass scanned the whole table (days
    // of deliveries) to find the few to remove. Entries finish in time order, so it grows at its end.
    db.exec("CREATE INDEX IF NOT EXISTS outbox_finished ON outbox (finished_at) WHERE status != 'pending'");
    this.insert = db.prepare(`INSERT OR IGNORE INTO outbox (key, tenant, watch_id, action, action_type, account_id,
      episode_key, notification, status, attempts, created_at, deadline, next_attempt_at, last_error, finished_at, window_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, NULL, NULL, ?)`);
    this.getStmt = db.prepare('SELECT * FROM outbox WHERE key = ?');
    // Pending entries only: one discarded meanwhile keeps the operator's reason.
    this.attempt = db.prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE key = ? AND status = 'pending'");
    // The window is taken from the first deadline before it moves (the right side reads the row as it was).
    this.extendStmt = db.prepare("UPDATE outbox SET window_ms = COALESCE(window_ms, deadline - created_at), deadline = ? WHERE key = ? AND status = 'pending' AND deadline < ?");
    this.finish = db.prepare('UPDATE outbox SET status = ?, last_error = ?, finished_at = ?, attempts = MAX(attempts, ?) WHERE key = ?');
    this.pendingStmt = db.prepare("SELECT * FROM outbox WHERE status = 'pending' ORDER BY created_at, key LIMIT ?");
    this.pendingAfterStmt = db.prepare(
      "SELECT * FROM outbox WHERE status = 'pending' AND (created_at > ? OR (created_at = ? AND key > ?)) ORDER BY created_at, key LIMIT ?",
    );
    this.pruneStmt = db.prepare(
      "DELETE FROM outbox WHERE rowid IN (SELECT rowid FROM outbox WHERE status != 'pending' AND finished_at < ? ORDER BY finished_at LIMIT ?)",
    );
    this.requeueStmt = db.prepare("UPDATE outbox SET status = 'pending', window_ms = COALESCE(window_ms, deadline - created_at), deadline = ?, next_attempt_at = ?, finished_at = NULL WHERE key = ? AND status = 'failed'");
    this.cancelStmt = db.prepare("UPDATE outbox SET status = 'cancelled', last_error = ?, finished_at = ? WHERE key = ? AND status IN ('pending', 'failed')");
    // The partial index on pending entries answers both without reading the table.
    this.statsStmt = db.prepare("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'");
  }

  async enqueue(e: Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'>): Promise<boolean> {
    return this.batch(() => this.enqueueSync(e));
  }

  enqueueSync(e: Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'>): boolean {
    const res = this.insert.run(
      e.key,
      e.tenant,
      e.watchId,
      e.action,
      e.actionType,
      e.accountId,
      e.episodeKey,
      JSON.stringify(e.notification),
      e.createdAt,
      e.deadline,
      e.nextAttemptAt,
      e.windowMs ?? null,
    );
    return Number(res.changes) === 1;
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    const row = this.getStmt.get(key) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  async recordAttempt(key: string, error: string | null, nextAttemptAt: number): Promise<void> {
    await this.batch(() => this.attempt.run(error, nextAttemptAt, key));
  }

  async extendDeadlines(moves: ReadonlyArray<{ key: string; deadline: number }>): Promise<void> {
    if (moves.length === 0) return;
    await this.batch(() => {
      for (const m of moves) this.extendStmt.run(m.deadline, m.key, m.deadline);
    });
  }

  async markDelivered(key: string, at: number, attempts: number): Promise<void> {
    await this.batch(() => this.markDeliveredSync(key, at, attempts));
  }

  markDeliveredSync(key: string, at: number, attempts: number): void {
    this.finish.run('delivered', null, at, attempts, key);
  }

  async markFailed(key: string, error: string, at: number, attempts: number): Promise<void> {
    await this.batch(() => this.finish.run('failed', error, at, attempts, key));
  }

  async pending(limit = 1000, after?: { createdAt: number; key: string }): Promise<OutboxEntry[]> {
    const rows = after ? this.pendingAfterStmt.all(after.createdAt, after.createdAt, after.key, limit) : this.pendingStmt.all(limit);
    return (rows as unknown as Row[]).map(toEntry);
  }

  async prune(olderThan: number, limit = Number.MAX_SAFE_INTEGER): Promise<number> {
    return this.batch(() => Number(this.pruneStmt.run(olderThan, limit).changes));
  }

  async list(q: OutboxListQuery): Promise<OutboxEntry[]> {
    const where = ['status = ?'];
    const args: Array<string | number> = [q.status];
    if (q.tenant !== undefined) (where.push('tenant = ?'), args.push(q.tenant));
    if (q.watchId !== undefined) (where.push('watch_id = ?'), args.push(q.watchId));
    const order = q.status === 'pending' ? 'created_at, key' : 'finished_at DESC, key';
    args.push(q.size ?? 100, q.from ?? 0);
    const rows = this.db.prepare(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args);
    return (rows as unknown as Row[]).map(toEntry);
  }

  async requeue(key: string, o: { deadline: number; nextAttemptAt: number }): Promise<OutboxEntry | undefined> {
    return this.batch(() => {
      if (Number(this.requeueStmt.run(o.deadline, o.nextAttemptAt, key).changes) === 0) return undefined;
      return toEntry(this.getStmt.get(key) as unknown as Row);
    });
  }

  async cancel(key: string, reason: string, at: number): Promise<OutboxEntry | undefined> {
    return this.batch(() => {
      const before = this.getStmt.get(key) as Row | undefined;
      if (!before || Number(this.cancelStmt.run(reason, at, key).changes) === 0) return undefined;
      return toEntry(before);
    });
  }

  async stats(): Promise<OutboxStats> {
    const r = this.statsStmt.get() as { n: number; oldest: number | null };
    return { pending: Number(r.n), oldestPendingAt: r.oldest === null ? null : Number(r.oldest) };
  }
}
