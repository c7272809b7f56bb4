import type { StateStore } from './types.ts';
import { SqliteStateStore } from './sqlite.ts';
import type { CheckpointReport } from './sqlite/checkpointer.ts';

export type { CheckpointReport };

export interface StateStoreOptions {
  /** Hears how each background checkpoint of the write-ahead log went (for metrics and warnings). */
  onCheckpoint?: (r: CheckpointReport) => void;
}

/**
 * Opens the state store of a data directory: the embedded SQLite store, held by one daemon at a time
 * (STATE_LOCKED otherwise). Callers see only the StateStore interface, so a store kept elsewhere can
 * take its place here.
 */
export function openStateStore(dataDir: string, o: StateStoreOptions = {}): StateStore {
  return new SqliteStateStore(dataDir, o.onCheckpoint ? { onCheckpoint: o.onCheckpoint } : {});
}
