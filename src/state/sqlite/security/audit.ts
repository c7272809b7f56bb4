import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AuditQuery, AuditRecord, AuditRecords } from '../../security-types.ts';

interface AuditRow {
  time: number;
  user: string | null;
  address: string;
  method: string;
  path: string;
  outcome: AuditRecord['outcome'];
  status: number;
  count: number;
  category: string | null;
  body: string | null;
}

/**
 * The audit log table, capped at `maxRows` (the oldest rows go first; the cap is applied every 1 000
 * rows so that a write stays one INSERT). Text fields are cut to bounded lengths.
 */
export class SqliteSecurityAudit implements AuditRecords {
  readonly #db: DatabaseSync;
  readonly #durable: () => Promise<void>;
  readonly #insert: StatementSync;
  readonly #prune: StatementSync;
  readonly #maxRows: number;
  #sincePrune = 0;

  constructor(db: DatabaseSync, durable: () => Promise<void>, maxRows = 1_000_000) {
    this.#db = db;
    this.#durable = durable;
    this.#maxRows = maxRows;
    this.#insert = db.prepare(
      'INSERT INTO security_audit (time, user, address, method, path, outcome, status, count, category, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#prune = db.prepare('DELETE FROM security_audit WHERE id <= (SELECT MAX(id) FROM security_audit) - ?');
  }

  async append(records: AuditRecord[]): Promise<void> {
    for (const r of records) {
      this.#insert.run(r.time, r.user === null ? null : r.user.slice(0, 256), r.address.slice(0, 64), r.method.slice(0, 16), r.path.slice(0, 1024), r.outcome,
        r.status, r.count, r.category ?? null, r.body === undefined ? null : r.body.slice(0, 16_384));
      if (++this.#sincePrune >= 1000) {
        this.#sincePrune = 0;
        this.#prune.run(this.#maxRows);
      }
    }
    await this.#durable();
  }

  async query(q: AuditQuery): Promise<{ total: number; hits: AuditRecord[] }> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.from !== undefined) where.push('time >= ?'), args.push(q.from);
    if (q.to !== undefined) where.push('time <= ?'), args.push(q.to);
    if (q.user !== undefined) where.push('user = ?'), args.push(q.user);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((this.#db.prepare(`SELECT COUNT(*) AS n FROM security_audit ${w}`).get(...args) as { n: number }).n);
    const rows = this.#db
      .prepare(`SELECT time, user, address, method, path, outcome, status, count, category, body FROM security_audit ${w} ORDER BY id DESC LIMIT ?`)
      .all(...args, Math.min(10_000, q.size ?? 100)) as unknown as AuditRow[];
    return {
      total,
      hits: rows.map(({ category, body, ...r }) => ({ ...r, ...(category !== null ? { category } : {}), ...(body !== null ? { body } : {}) })),
    };
  }
}
