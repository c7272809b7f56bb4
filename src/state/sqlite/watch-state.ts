import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { WatchStateStore } from '../types.ts';
import type { WatchState } from '../../runtime/records.ts';

export class SqliteWatchStateStore implements WatchStateStore {
  private readonly getStmt: StatementSync;
  private readonly putStmt: StatementSync;
  private readonly delStmt: StatementSync;
  private readonly overridesStmt: StatementSync;
  private readonly durable: () => Promise<void>;

  /** `durable` resolves once the writes made so far are on disk (WalSync). */
  constructor(db: DatabaseSync, durable: () => Promise<void>) {
    this.durable = durable;
    db.exec(`CREATE TABLE IF NOT EXISTS watch_state (
      tenant TEXT NOT NULL, watch_id TEXT NOT NULL, state TEXT NOT NULL,
      PRIMARY KEY (tenant, watch_id))`);
    this.getStmt = db.prepare('SELECT state FROM watch_state WHERE tenant = ? AND watch_id = ?');
    this.putStmt = db.prepare(
      'INSERT INTO watch_state (tenant, watch_id, state) VALUES (?, ?, ?) ON CONFLICT (tenant, watch_id) DO UPDATE SET state = excluded.state',
    );
    this.delStmt = db.prepare('DELETE FROM watch_state WHERE tenant = ? AND watch_id = ?');
    this.overridesStmt = db.prepare(
      "SELECT tenant, watch_id, json_extract(state, '$.active_override') AS v FROM watch_state WHERE json_type(state, '$.active_override') IN ('true', 'false')",
    );
  }

  async get(tenant: string, watchId: string): Promise<WatchState | undefined> {
    const row = this.getStmt.get(tenant, watchId) as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as WatchState) : undefined;
  }

  async put(tenant: string, watchId: string, state: WatchState): Promise<void> {
    this.putSync(tenant, watchId, state);
    await this.durable();
  }

  putSync(tenant: string, watchId: string, state: WatchState): void {
    this.putStmt.run(tenant, watchId, JSON.stringify(state));
  }

  async activeOverrides(): Promise<Array<{ tenant: string; watchId: string; active: boolean }>> {
    const rows = this.overridesStmt.all() as Array<{ tenant: string; watch_id: string; v: number }>;
    return rows.map((r) => ({ tenant: r.tenant, watchId: r.watch_id, active: r.v === 1 }));
  }

  async delete(tenant: string, watchId: string): Promise<void> {
    this.delStmt.run(tenant, watchId);
    await this.durable();
  }
}
