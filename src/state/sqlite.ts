import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { VigilError } from '../errors.ts';
import { claimLost, lastScheduledTime, type RunCommit, type StateStore } from './types.ts';
import type { WatchState } from './records.ts';
import { DB_FILE, openDatabase } from './sqlite/open.ts';
import { lockDirectory, type DirLock } from './sqlite/lock.ts';
import { Checkpointer, type CheckpointReport } from './sqlite/checkpointer.ts';
import { SqliteWatchStateStore } from './sqlite/watch-state.ts';
import { SqliteWatchLogStore } from './sqlite/log.ts';
import { SqliteOutboxStore } from './sqlite/outbox.ts';
import { SqliteKvStore } from './sqlite/kv.ts';
import { SqliteSecurityStore } from './sqlite/security/index.ts';
import { groupCommitter, type Batch } from './sqlite/group-commit.ts';
import { WalSync } from './sqlite/wal-sync.ts';

const stored = (s: WatchState | undefined): number | undefined => (s ? lastScheduledTime(s) : undefined);

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
  readonly security: SqliteSecurityStore;
  /** The raw database (tests and tools that inspect the tables). */
  readonly db: DatabaseSync;
  private readonly lock: DirLock;
  /** Queued writes share paced, durable transactions (see group-commit.ts). */
  private readonly batch: Batch;
  private readonly wal: WalSync;
  private readonly checkpointer: Checkpointer;
  private closed = false;
  private readonly pingStmt: StatementSync;

  /**
   * `commitPaceMs`: the least time between two group commits, default 50 ms (see group-commit.ts).
   * `checkpointIntervalMs`: the least time between two checkpoints, default 1 s; `onCheckpoint` hears
   * each one's outcome (see checkpointer.ts).
   */
  constructor(dir: string, opts: { commitPaceMs?: number; checkpointIntervalMs?: number; onCheckpoint?: (r: CheckpointReport) => void } = {}) {
    this.lock = lockDirectory(dir);
    try {
      this.db = openDatabase(dir);
    } catch (e) {
      this.lock.release();
      throw e;
    }
    const path = join(dir, DB_FILE);
    this.wal = new WalSync(this.db, `${path}-wal`);
    this.checkpointer = new Checkpointer(this.db, path, { intervalMs: opts.checkpointIntervalMs, onReport: opts.onCheckpoint });
    const durable = () => this.durable();
    this.watchState = new SqliteWatchStateStore(this.db, durable);
    this.batch = groupCommitter(this.db, this.wal, opts.commitPaceMs ?? 50, () => this.watchState.invalidate(), () => this.checkpointer.afterWrite());
    this.log = new SqliteWatchLogStore(this.db, durable);
    this.outbox = new SqliteOutboxStore(this.db, this.batch);
    this.kv = new SqliteKvStore(this.db, durable);
    this.security = new SqliteSecurityStore(this.db, durable);
    this.pingStmt = this.db.prepare('SELECT 1');
  }

  async commit(c: RunCommit): Promise<{ enqueued: string[] }> {
    // The sub-stores are synchronous underneath, so nothing else can interleave inside this write.
    const done = await this.batch(() => {
      const enqueued: string[] = [];
      // Checked before anything is written, inside the transaction: nothing can run in between.
      if (c.claim !== undefined && c.state) {
        const last = stored(this.watchState.getSync(c.state.tenant, c.state.watchId));
        if (last !== undefined && last >= c.claim) return { enqueued, lost: last };
      }
      if (c.state) this.watchState.putSync(c.state.tenant, c.state.watchId, c.state.value);
      for (const e of c.enqueue ?? []) if (this.outbox.enqueueSync(e)) enqueued.push(e.key);
      for (const d of c.delivered ?? []) this.outbox.markDeliveredSync(d.key, d.at, d.attempts);
      if (c.log) this.log.appendSync(c.log);
      return { enqueued, lost: undefined };
    });
    if (done.lost !== undefined) throw claimLost(c.state!.tenant, c.state!.watchId, c.claim!, done.lost);
    return { enqueued: done.enqueued };
  }

  /**
   * Every write that matters waits for durability, so this is where the checkpointer hears of writes;
   * only the group committer (nearly all writes) also holds its next group for the checkpoint.
   */
  durable(): Promise<void> {
    void this.checkpointer.afterWrite();
    return this.wal.sync();
  }

  async ping(): Promise<void> {
    if (this.closed) throw new VigilError('INTERNAL', 'the state store is closed');
    this.pingStmt.get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.wal.close();
    // The worker's connection first: the main one, closing last, checkpoints and removes the WAL.
    await this.checkpointer.close();
    this.db.close();
    this.lock.release();
  }
}
