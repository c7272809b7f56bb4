import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { RunCommit, StateStore } from './types.ts';
import { DB_FILE, openDatabase, releaseLock } from './sqlite/open.ts';
import { SqliteWatchStateStore } from './sqlite/watch-state.ts';
import { SqliteWatchLogStore } from './sqlite/log.ts';
import { SqliteOutboxStore } from './sqlite/outbox.ts';
import { SqliteKvStore } from './sqlite/kv.ts';
import { groupCommitter, type Batch } from './sqlite/group-commit.ts';
import { WalSync } from './sqlite/wal-sync.ts';

/**
 * The embedded state store (node:sqlite, WAL; commits fsync'd off the main thread, see wal-sync.ts)
 * under the data directory. One daemon per directory: opening a directory another live process holds
 * throws STATE_LOCKED.
 */
export class SqliteStateStore implements StateStore {
  readonly watchState: SqliteWatchStateStore;
  readonly log: SqliteWatchLogStore;
  readonly outbox: SqliteOutboxStore;
  readonly kv: SqliteKvStore;
  /** The raw database, for stores added by other modules (users, audit) that keep their own tables. */
  readonly db: DatabaseSync;
  private readonly dir: string;
  /** Queued writes share paced, durable transactions (see group-commit.ts). */
  private readonly batch: Batch;
  private readonly wal: WalSync;
  private closed = false;

  /** `commitPaceMs`: the least time between two group commits, default 50 ms (see group-commit.ts). */
  constructor(dir: string, opts: { commitPaceMs?: number } = {}) {
    this.dir = dir;
    this.db = openDatabase(dir);
    this.wal = new WalSync(this.db, join(dir, `${DB_FILE}-wal`));
    const durable = () => this.wal.sync();
    this.watchState = new SqliteWatchStateStore(this.db, durable);
    this.batch = groupCommitter(this.db, this.wal, opts.commitPaceMs ?? 50, () => this.watchState.invalidate());
    this.log = new SqliteWatchLogStore(this.db, durable);
    this.outbox = new SqliteOutboxStore(this.db, this.batch);
    this.kv = new SqliteKvStore(this.db, durable);
  }

  async commit(c: RunCommit): Promise<{ enqueued: string[] }> {
    // The sub-stores are synchronous underneath, so nothing else can interleave inside this write.
    return this.batch(() => {
      const enqueued: string[] = [];
      if (c.state) this.watchState.putSync(c.state.tenant, c.state.watchId, c.state.value);
      for (const e of c.enqueue ?? []) if (this.outbox.enqueueSync(e)) enqueued.push(e.key);
      for (const d of c.delivered ?? []) this.outbox.markDeliveredSync(d.key, d.at);
      if (c.log) this.log.appendSync(c.log);
      return { enqueued };
    });
  }

  durable(): Promise<void> {
    return this.wal.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.wal.close();
    this.db.close();
    releaseLock(this.dir);
  }
}
