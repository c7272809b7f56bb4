/**
 * Worker thread that checkpoints the state database (checkpointer.ts): copies the write-ahead log's
 * frames into the database file, with the two fsyncs that takes, on a connection of its own so the
 * daemon's event loop never waits for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

/** 'checkpoint': run one now; 'stop': close and exit. */
export type CheckpointRequest = 'checkpoint' | 'stop';
/** `log`: frames in the WAL; `checkpointed`: frames now in the database; `busy`: 1 when it could not finish. */
export type CheckpointReport =
  | { ok: true; busy: number; log: number; checkpointed: number; ms: number }
  | { ok: false; error: string };

const { path } = workerData as { path: string };
const port = parentPort!;
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 1000');
// A checkpoint fsyncs the WAL before copying it and the database after, at NORMAL as at FULL.
db.exec('PRAGMA synchronous = NORMAL');
// PASSIVE: copies what it can without waiting for the writer or readers, and never blocks them.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

port.on('message', (m: CheckpointRequest) => {
  if (m === 'stop') {
    db.close();
    port.close();
    return;
  }
  const start = performance.now();
  let report: CheckpointReport;
  try {
    const r = checkpoint.get() as { busy: number; log: number; checkpointed: number };
    report = { ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms: performance.now() - start };
  } catch (e) {
    report = { ok: false, error: (e as Error).message };
  }
  port.postMessage(report);
});
