/**
 * The audit log in the state store: who did what from where, and how it ended. Only the fields of
 * `AuditEvent` are kept, never a body, a header or a credential; paths are cut at 1 024 characters.
 * A row may stand for several like events (`count`): failed logins from a blocked address are summed
 * into one row rather than written one by one. The table is capped at `maxRows` (oldest rows go first).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AuditEvent } from '../api/auth.ts';
import type { Clock } from '../clock.ts';

export interface AuditRecord extends AuditEvent {
  time: string;
  /** Events this row stands for (1 unless failures were summed). */
  count: number;
}

export interface AuditQuery {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
  user?: string;
  /** Default 100, at most 10 000. */
  size?: number;
}

export class SqliteAuditLog {
  readonly #insert: StatementSync;
  readonly #prune: StatementSync;
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #maxRows: number;
  #sincePrune = 0;

  constructor(db: DatabaseSync, clock: Clock, maxRows = 1_000_000) {
    db.exec(`CREATE TABLE IF NOT EXISTS security_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,
      user TEXT, address TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL,
      count INTEGER NOT NULL DEFAULT 1)`);
    // Tables made before rows could be summed have no count column: every old row stands for one event.
    const columns = db.prepare('PRAGMA table_info(security_audit)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'count')) db.exec('ALTER TABLE security_audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1');
    db.exec('CREATE INDEX IF NOT EXISTS security_audit_time ON security_audit (time)');
    this.#insert = db.prepare('INSERT INTO security_audit (time, user, address, method, path, outcome, status, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#prune = db.prepare('DELETE FROM security_audit WHERE id <= (SELECT MAX(id) FROM security_audit) - ?');
    this.#db = db;
    this.#clock = clock;
    this.#maxRows = maxRows;
  }

  /** Writes one row; `count` events seen first at `time` (epoch ms, default now). */
  write(e: AuditEvent, count = 1, time = this.#clock.now()): void {
    this.#insert.run(time, e.user, e.address.slice(0, 64), e.method.slice(0, 16), e.path.slice(0, 1024), e.outcome, e.status, count);
    if (++this.#sincePrune >= 1000) {
      this.#sincePrune = 0;
      this.#prune.run(this.#maxRows);
    }
  }

  /** Newest first. */
  query(q: AuditQuery = {}): { total: number; hits: AuditRecord[] } {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.from !== undefined) where.push('time >= ?'), args.push(q.from);
    if (q.to !== undefined) where.push('time <= ?'), args.push(q.to);
    if (q.user !== undefined) where.push('user = ?'), args.push(q.user);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((this.#db.prepare(`SELECT COUNT(*) AS n FROM security_audit ${w}`).get(...args) as { n: number }).n);
    const rows = this.#db
      .prepare(`SELECT time, user, address, method, path, outcome, status, count FROM security_audit ${w} ORDER BY id DESC LIMIT ?`)
      .all(...args, Math.min(10_000, q.size ?? 100)) as Array<Omit<AuditRecord, 'time'> & { time: number }>;
    return { total, hits: rows.map((r) => ({ ...r, time: new Date(r.time).toISOString() })) };
  }
}
