import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { KvStore } from '../types.ts';

export class SqliteKvStore implements KvStore {
  private readonly getStmt: StatementSync;
  private readonly putStmt: StatementSync;
  private readonly delStmt: StatementSync;
  private readonly durable: () => Promise<void>;

  /** `durable` resolves once the writes made so far are on disk (WalSync). */
  constructor(db: DatabaseSync, durable: () => Promise<void>) {
    this.durable = durable;
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    this.getStmt = db.prepare('SELECT value FROM kv WHERE key = ?');
    this.putStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.delStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  }

  async get<T>(key: string): Promise<T | undefined> {
    const row = this.getStmt.get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    this.putStmt.run(key, JSON.stringify(value));
    await this.durable();
  }

  async delete(key: string): Promise<void> {
    this.delStmt.run(key);
    await this.durable();
  }
}
