// @ts-check
/**
 * Worker thread that checkpoints the state database (checkpointer.ts): copies the write-ahead log's
 * frames into the database file, with the two fsyncs that takes, on a connection of its own so the
 * daemon's event loop never waits for it.
 *
 * Plain JavaScript (type-checked through JSDoc): a .ts worker loads Node's type stripper into its own
 * isolate, which costs more memory than these few lines are worth.
 *
 * @typedef {import('./checkpointer.ts').CheckpointRequest} CheckpointRequest
 * @typedef {import('./checkpointer.ts').CheckpointReport} CheckpointReport
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

// Background work: the lowest CPU priority, for this thread only (on Linux the nice value is per thread
// and a thread id is a valid pid for setpriority). On a daemon with one core, a checkpoint then never
// takes the core from the event loop; elsewhere (no /proc/thread-self) it runs at the normal priority.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {
  // Not Linux, or not allowed: a normal priority is still correct.
}

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const db = new DatabaseSync(/** @type {{ path: string }} */ (workerData).path);
db.exec('PRAGMA busy_timeout = 1000');
// A checkpoint fsyncs the WAL before copying it and the database after, at NORMAL as at FULL.
db.exec('PRAGMA synchronous = NORMAL');
// PASSIVE: copies what it can without waiting for the writer or readers, and never blocks them.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

port.on('message', (/** @type {CheckpointRequest} */ m) => {
  if (m === 'stop') {
    db.close();
    port.close();
    return;
  }
  const start = performance.now();
  /** @type {CheckpointReport} */
  let report;
  try {
    const r = /** @type {{ busy: number; log: number; checkpointed: number }} */ (checkpoint.get());
    report = { ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms: performance.now() - start };
  } catch (e) {
    report = { ok: false, error: /** @type {Error} */ (e).message };
  }
  port.postMessage(report);
});
