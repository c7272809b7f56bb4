import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { WatchLogQuery, WatchLogStore } from '../types.ts';
import type { WatchLogRecord } from '../records.ts';

export class SqliteWatchLogStore implements WatchLogStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly pruneStmt: StatementSync;
  private readonly durable: () => Promise<void>;

  /** `durable` resolves once the writes made so far are on disk (WalSync). */
  constructor(db: DatabaseSync, durable: () => Promise<void>) {
    this.db = db;
    this.durable = durable;
    db.exec(`CREATE TABLE IF NOT EXISTS watch_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, tenant TEXT NOT NULL, watch_id TEXT NOT NULL,
      execution_end TEXT NOT NULL, record TEXT NOT NULL)`);
    // No index by watch: every run appends a record, and an index on (tenant, watch_id) puts each append
    // on a random page of it, one more page written (and checkpointed) per run for lookups nothing on the
    // run path makes. A query by watch scans backwards from the newest record, within the retention
    // limit. An older database may hold the index: it is dropped, so its appends stop paying for it.
    db.exec('DROP INDEX IF EXISTS watch_log_watch');
    this.insert = db.prepare('INSERT INTO watch_log (id, tenant, watch_id, execution_end, record) VALUES (?, ?, ?, ?, ?)');
    this.pruneStmt = db.prepare(
      'DELETE FROM watch_log WHERE seq <= MIN((SELECT MAX(seq) FROM watch_log) - ?, (SELECT MIN(seq) FROM watch_log) + ? - 1)',
    );
  }

  async append(r: WatchLogRecord): Promise<void> {
    this.appendSync(r);
    await this.durable();
  }

  appendSync(r: WatchLogRecord): void {
    this.insert.run(r.id, r.tenant, r.watch_id, r.execution_end, JSON.stringify(r));
  }

  async query(q: WatchLogQuery): Promise<WatchLogRecord[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.tenant !== undefined) (where.push('tenant = ?'), args.push(q.tenant));
    if (q.watchId !== undefined) (where.push('watch_id = ?'), args.push(q.watchId));
    if (q.since !== undefined) (where.push('execution_end >= ?'), args.push(q.since));
    if (q.until !== undefined) (where.push('execution_end < ?'), args.push(q.until));
    if (q.status?.length) (where.push(`json_extract(record, '$.status.code') IN (${q.status.map(() => '?').join(', ')})`), args.push(...q.status));
    if (q.action !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(record, '$.actions') WHERE json_extract(value, '$.name') = ?
        UNION ALL SELECT 1 FROM json_each(record, '$.resolve_actions') WHERE json_extract(value, '$.name') = ?)`);
      args.push(q.action, q.action);
    }
    const sql = `SELECT record FROM watch_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT ? OFFSET ?`;
    args.push(q.size ?? 100, q.from ?? 0);
    const rows = this.db.prepare(sql).all(...args) as Array<{ record: string }>;
    return rows.map((row) => JSON.parse(row.record) as WatchLogRecord);
  }

  async prune(maxRecords: number, limit = Number.MAX_SAFE_INTEGER): Promise<number> {
    // seq only grows (AUTOINCREMENT), so the oldest records are one range of the table's own b-tree.
    const removed = Number(this.pruneStmt.run(maxRecords, limit).changes);
    // Through the store's write path like every write: the checkpointer hears of it (an otherwise idle
    // daemon's pruning would leave its WAL frames until the next write).
    if (removed) await this.durable();
    return removed;
  }
}
