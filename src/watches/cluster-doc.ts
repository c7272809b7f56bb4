/**
 * The watch index's document (`<prefix>-watches`, one per watch, id `<tenant>:<id>`), shared by the
 * repository that reads and polls it and the batch that applies watch files to it.
 */
import type { WatchRef } from './repository.ts';
import type { SavedBy } from './run-as.ts';

/** A watch document as stored. */
export interface WatchDocSource {
  tenant: string;
  watch_id: string;
  /** Absent on a tombstone. */
  source?: string;
  version?: string;
  origin?: 'file' | 'api';
  /** The hash of the file last applied to this watch; kept when the API changes it. */
  file_version?: string;
  written_by: string;
  /**
   * Who saved it over the API: a copy, for reading the index. What the watch runs as is read from the
   * definition's own `_vigil.saved_by` (in `source`), as from a watch file.
   */
  saved_by?: SavedBy;
  deleted: boolean;
  updated_at: number;
}

/** What applying a file did: written, nothing to do, or kept the version the API saved since. */
export type FileOutcome = 'created' | 'updated' | 'unchanged' | 'kept';

export const watchDocId = (ref: WatchRef): string => `${ref.tenant}:${ref.id}`;
