/**
 * Watch files applied to the cluster's watch index in batches: one `_mget` of the stored versions and
 * one `_bulk` of the writes per batch, instead of a GET and a write per file (a folder of 10 000 files
 * at start, or thousands dropped in at once, would otherwise cost 20 000 round trips).
 *
 * Every write stays conditional on what was read: a stored document is replaced only while it still
 * has the `_seq_no`/`_primary_term` of the read, a missing one is created with `create` (which fails
 * when it exists meanwhile). So two daemons applying the same folder cannot clobber each other: the
 * one that loses reads again and decides again (usually "unchanged": the other wrote the same text).
 */
import { VigilError } from '../errors.ts';
import { isVersionConflict, type BulkOp, type Doc, type DocStoreClient } from '../cluster/docstore-types.ts';
import { sourceVersion, type WatchRef } from './repository.ts';
import type { FileOutcome, WatchDocSource } from './cluster-doc.ts';

/** One file to apply: the watch it names and its text. */
export interface FileToApply {
  ref: WatchRef;
  text: string;
}

/** What applying one file did, or why it could not be applied (that file only: the others go on). */
export type FileApplied =
  | { ref: WatchRef; outcome: FileOutcome; written?: WatchDocSource }
  | { ref: WatchRef; error: Error };

export interface ApplyTarget {
  docs: DocStoreClient;
  index: string;
  node: string;
  now(): number;
  docId(ref: WatchRef): string;
}

/** Files per `_mget` and `_bulk`: a batch of watch texts stays a few MB at most. */
export const APPLY_BATCH = 500;
/** Reads and decides again this many times when another writer got in between. */
const ROUNDS = 3;

/** Applies files, `APPLY_BATCH` at a time; one result per file, in order. Throws only when a whole request fails. */
export async function applyFiles(t: ApplyTarget, files: FileToApply[]): Promise<FileApplied[]> {
  const out: FileApplied[] = [];
  for (let i = 0; i < files.length; i += APPLY_BATCH) out.push(...(await applyBatch(t, files.slice(i, i + APPLY_BATCH))));
  return out;
}

async function applyBatch(t: ApplyTarget, files: FileToApply[]): Promise<FileApplied[]> {
  const results = new Array<FileApplied | undefined>(files.length);
  let todo = files.map((_, i) => i);
  for (let round = 0; round < ROUNDS && todo.length; round++) {
    const reading = todo;
    const stored = await t.docs.mget<WatchDocSource>(reading.map((i) => ({ index: t.index, id: t.docId(files[i]!.ref) })));
    const ops: BulkOp[] = [];
    const pending: Array<{ i: number; doc: WatchDocSource; outcome: FileOutcome }> = [];
    reading.forEach((i, k) => {
      const { ref, text } = files[i]!;
      const prev = stored[k];
      const decided = decide(prev, text);
      if (decided !== 'write') return void (results[i] = { ref, outcome: decided });
      const version = sourceVersion(text);
      const doc: WatchDocSource = { tenant: ref.tenant, watch_id: ref.id, source: text, version, origin: 'file', file_version: version, written_by: t.node, deleted: false, updated_at: t.now() };
      const live = prev && !prev.source.deleted;
      ops.push(prev
        ? { op: 'index', index: t.index, id: t.docId(ref), document: doc as never, cas: { ifSeqNo: prev.seqNo, ifPrimaryTerm: prev.primaryTerm } }
        : { op: 'create', index: t.index, id: t.docId(ref), document: doc as never });
      pending.push({ i, doc, outcome: live ? 'updated' : 'created' });
    });
    todo = [];
    if (!ops.length) break;
    const items = await t.docs.bulk(ops);
    const again: number[] = [];
    items.forEach((item, k) => {
      const { i, doc, outcome } = pending[k]!;
      const ref = files[i]!.ref;
      if (item.ok) results[i] = { ref, outcome, written: doc };
      else if (isVersionConflict(item.error)) again.push(i);
      else results[i] = { ref, error: item.error };
    });
    todo = again;
  }
  for (const i of todo) {
    results[i] = { ref: files[i]!.ref, error: new VigilError('CONFLICT', `the stored watch changed ${ROUNDS} times while this file was applied (other writers); it is applied again at its next change or on SIGHUP`) };
  }
  return results as FileApplied[];
}

/**
 * Whether a file's text is written over what is stored: not when the stored version is that text, nor
 * when the API changed the watch after this same file was applied (its version stays until the file
 * changes again).
 */
function decide(prev: Doc<WatchDocSource> | undefined, text: string): 'write' | 'unchanged' | 'kept' {
  const live = prev && !prev.source.deleted ? prev.source : undefined;
  const version = sourceVersion(text);
  if (live?.version === version) return 'unchanged';
  if (live?.origin === 'api' && live.file_version === version) return 'kept';
  return 'write';
}
