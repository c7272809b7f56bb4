import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { WatchStateStore } from '../types.ts';
import type { WatchState } from '../records.ts';

/** Enough for 100 000 watches' states (~600 bytes of text each, ~60 MB at worst); most fleets hold far fewer. */
const DEFAULT_CACHE_ENTRIES = 100_000;

/**
 * Watch state, one JSON row per watch. Every run reads its watch's state and writes it back, so the text
 * last written is kept in memory and a read is a JSON.parse, not a SELECT, a quarter of its cost; the
 * price is the text of each watch's state kept (a few hundred bytes), which the young generation
 * promotes. The cache only ever holds what the
 * database holds: it is filled after a statement succeeds, and emptied whenever a transaction that may
 * have carried a write of this store is rolled back (`invalidate`, called by the group commit).
 */
export class SqliteWatchStateStore implements WatchStateStore {
  private readonly getStmt: StatementSync;
  private readonly putStmt: StatementSync;
  private readonly delStmt: StatementSync;
  private readonly overridesStmt: StatementSync;
  private readonly durable: () => Promise<void>;
  /** `tenant NUL watchId` → the state's JSON text as stored; oldest entry dropped first when full. */
  private readonly cache = new Map<string, string>();
  private readonly cacheEntries: number;

  /** `durable` resolves once the writes made so far are on disk (WalSync). */
  constructor(db: DatabaseSync, durable: () => Promise<void>, opts: { cacheEntries?: number } = {}) {
    this.durable = durable;
    this.cacheEntries = opts.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
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
    return this.getSync(tenant, watchId);
  }

  async put(tenant: string, watchId: string, state: WatchState): Promise<void> {
    this.putSync(tenant, watchId, state);
    await this.durable();
  }

  putSync(tenant: string, watchId: string, state: WatchState): void {
    const text = JSON.stringify(state);
    this.putStmt.run(tenant, watchId, text);
    this.remember(cacheKey(tenant, watchId), text);
  }

  /** The state as stored, parsed (in a transaction: what it sees). */
  getSync(tenant: string, watchId: string): WatchState | undefined {
    const key = cacheKey(tenant, watchId);
    let text = this.cache.get(key);
    if (text === undefined) {
      text = (this.getStmt.get(tenant, watchId) as { state: string } | undefined)?.state;
      if (text === undefined) return undefined;
      this.remember(key, text);
    }
    return JSON.parse(text) as WatchState;
  }

  async activeOverrides(): Promise<Array<{ tenant: string; watchId: string; active: boolean }>> {
    const rows = this.overridesStmt.all() as Array<{ tenant: string; watch_id: string; v: number }>;
    return rows.map((r) => ({ tenant: r.tenant, watchId: r.watch_id, active: r.v === 1 }));
  }

  async delete(tenant: string, watchId: string): Promise<void> {
    this.delStmt.run(tenant, watchId);
    this.cache.delete(cacheKey(tenant, watchId));
    await this.durable();
  }

  /** Forgets every cached state: a rolled-back transaction may have carried writes the cache saw. */
  invalidate(): void {
    this.cache.clear();
  }

  private remember(key: string, text: string): void {
    if (this.cache.size >= this.cacheEntries && !this.cache.has(key)) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, text);
  }
}

// NUL never appears in tenant names or watch ids.
const cacheKey = (tenant: string, watchId: string): string => `${tenant}\u0000${watchId}`;
