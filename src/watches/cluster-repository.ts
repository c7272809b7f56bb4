/**
 * Watch definitions kept in an index of the cluster that holds the state (`<prefix>-watches`), one
 * document per watch (`<tenant>:<id>`): the definition's text as stored, its version (the text's hash),
 * where it came from (`origin`: a watches folder or the API), which daemon or tool wrote it, and when.
 * Several daemons share it: each reads by id in real time and polls for what the others changed.
 *
 * A deleted watch stays a while as a tombstone (`deleted: true`): a poll finds changes by time, and a
 * document that is simply gone cannot be found that way. Tombstones older than `tombstoneMs` are removed.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import { isVersionConflict, type Cas, type Doc, type DocStoreClient } from '../cluster/docstore-types.ts';
import {
  assertWatchRef, sourceVersion, type WatchChange, type WatchRead, type WatchRef, type WatchRepository, type WatchSource,
} from './repository.ts';
import { withSavedBy, type SavedBy } from './run-as.ts';
import { watchDocId, type FileOutcome, type WatchDocSource } from './cluster-doc.ts';
import { applyFiles, type FileApplied, type FileToApply } from './cluster-apply.ts';

export type { FileOutcome, WatchDocSource } from './cluster-doc.ts';
export { watchDocId } from './cluster-doc.ts';

export interface ClusterWatchRepositoryOptions {
  docs: DocStoreClient;
  /** The index, `<prefix>-watches` (created with the state indices). */
  index: string;
  /** This daemon's (or tool's) name, written with every version it stores. */
  node: string;
  clock: Clock;
  logger: Logger;
  /** Time between two polls for changes made by others; default 2 000 ms. */
  pollMs?: number;
  /**
   * How far before the last successful poll a poll looks again: a write is searchable only after the
   * next refresh (1 s by default), and daemons' clocks differ a little. Default 30 000 ms.
   */
  overlapMs?: number;
  /** How long a tombstone is kept; default 7 days (a daemon away longer reloads everything at start). */
  tombstoneMs?: number;
}

const PAGE = 1000;
const LIVE = { bool: { must_not: [{ term: { deleted: true } }] } };

export class ClusterWatchRepository implements WatchRepository {
  readonly #o: Required<Omit<ClusterWatchRepositoryOptions, 'logger' | 'clock' | 'docs'>> & ClusterWatchRepositoryOptions;
  /** Listeners of `watch()`: told of this process's own file applications at once, of others' by the poll. */
  readonly #listeners = new Set<(c: WatchChange) => void>();
  /**
   * What the poll reported, so that a change the overlap shows again is skipped: id → the version of the
   * document seen (`_primary_term:_seq_no`, which every write changes) and its `updated_at`.
   */
  readonly #seen = new Map<string, { mark: string; at: number }>();
  /** The version this process just wrote, while its listeners are told (see `#tell`). */
  #fresh: WatchRead | undefined;

  constructor(o: ClusterWatchRepositoryOptions) {
    this.#o = { pollMs: 2000, overlapMs: 30_000, tombstoneMs: 7 * 86_400_000, ...o };
  }

  async list(): Promise<WatchRead[]> {
    const { docs, index } = this.#o;
    await docs.refresh(index);
    const out: WatchRead[] = [];
    for await (const d of docs.scan<WatchDocSource>(index, LIVE, [{ tenant: 'asc' }, { watch_id: 'asc' }], PAGE)) out.push(this.#read(d));
    return out;
  }

  async get(ref: WatchRef): Promise<WatchRead> {
    assertWatchRef(ref);
    const fresh = this.#fresh;
    if (fresh && fresh.ref.tenant === ref.tenant && fresh.ref.id === ref.id) return fresh;
    const d = await this.#o.docs.get<WatchDocSource>(this.#o.index, watchDocId(ref));
    return d && !d.source.deleted ? this.#read(d) : { status: 'missing', ref, location: this.locate(ref) };
  }

  /**
   * The API's write: the definition, with its saver under `_vigil.saved_by` (one text: definition and
   * saver change together), replaces what is stored (origin `api`); the file last applied stays recorded.
   */
  async put(ref: WatchRef, definition: Record<string, unknown>, savedBy?: SavedBy | null): Promise<WatchSource> {
    assertWatchRef(ref);
    const text = JSON.stringify(savedBy ? withSavedBy(definition, savedBy) : definition, null, 2) + '\n';
    const prev = await this.#raw(ref);
    const fileVersion = prev && !prev.source.deleted ? prev.source.file_version : undefined;
    return this.#write(ref, {
      source: text, version: sourceVersion(text), origin: 'api', ...(fileVersion ? { file_version: fileVersion } : {}), ...(savedBy ? { saved_by: savedBy } : {}),
    });
  }

  async delete(ref: WatchRef): Promise<boolean> {
    assertWatchRef(ref);
    const prev = await this.#raw(ref);
    if (!prev || prev.source.deleted) return false;
    await this.#tombstone(ref);
    return true;
  }

  /**
   * Applies a watch file's text (a daemon started with a watches folder): written when it differs from
   * the stored version, unless the API changed the watch after this same file was applied (the file has
   * not changed since; the API's version stays until it does). Listeners hear of a write at once.
   */
  async applyFile(ref: WatchRef, text: string): Promise<FileOutcome> {
    const [r] = await this.applyFiles([{ ref, text }]);
    if ('error' in r!) throw r.error;
    return r!.outcome;
  }

  /**
   * `applyFile` for many files at once: a `_mget` and a `_bulk` per batch, each write conditional on the
   * version read (see cluster-apply.ts). One result per file, in order: a file that could not be applied
   * has its error there and the others are applied. Throws only when the cluster refuses a whole request.
   */
  async applyFiles(files: FileToApply[]): Promise<FileApplied[]> {
    for (const f of files) assertWatchRef(f.ref);
    const { docs, index, node, clock } = this.#o;
    const results = await applyFiles({ docs, index, node, now: () => clock.now(), docId: watchDocId }, files);
    for (const r of results) {
      if (!('written' in r) || !r.written) continue;
      this.#tell(r.ref, this.#read({ index, id: watchDocId(r.ref), seqNo: -1, primaryTerm: 0, source: r.written }));
    }
    return results;
  }

  /** A watch file was deleted: the watch goes too if its stored version came from a file. Returns whether it went. */
  async deleteFromFile(ref: WatchRef): Promise<boolean> {
    assertWatchRef(ref);
    const prev = await this.#raw(ref);
    if (!prev || prev.source.deleted || prev.source.origin !== 'file') return false;
    try {
      await this.#tombstone(ref, { ifSeqNo: prev.seqNo, ifPrimaryTerm: prev.primaryTerm });
    } catch (e) {
      // Written meanwhile (another daemon, the API): that version is not this file's to delete.
      if (isVersionConflict(e)) return false;
      throw e;
    }
    this.#tell(ref, { status: 'missing', ref, location: this.locate(ref) });
    return true;
  }

  /** Every stored watch with where it came from and who wrote it (for applying a folder at start). */
  async origins(): Promise<Array<{ ref: WatchRef; origin: string | undefined; writtenBy: string }>> {
    const { docs, index } = this.#o;
    await docs.refresh(index);
    const out: Array<{ ref: WatchRef; origin: string | undefined; writtenBy: string }> = [];
    const scan = docs.scan<WatchDocSource>(index, LIVE, [{ tenant: 'asc' }, { watch_id: 'asc' }], PAGE);
    for await (const d of scan) out.push({ ref: { tenant: d.source.tenant, id: d.source.watch_id }, origin: d.source.origin, writtenBy: d.source.written_by });
    return out;
  }

  /**
   * Reports changes by any writer: this process's file applications at once, the others' by a poll
   * every `pollMs` for documents they changed since the last successful poll began (less `overlapMs`).
   * Each change is reported once, tombstones included (a deleted watch reads `missing`). The poll asks
   * only for other writers' documents: this process's own writes are never news to it, and a folder of
   * 10 000 files it applied would otherwise come back page after page for the whole overlap.
   */
  watch(onChange: (change: WatchChange) => void): { close(): void } {
    const { clock, pollMs, overlapMs, tombstoneMs } = this.#o;
    this.#listeners.add(onChange);
    let since = clock.now();
    let timer: TimerHandle | undefined;
    let closed = false;
    let failing = false;
    let prunedAt = 0;
    const tick = async () => {
      try {
        since = await this.#poll(since, onChange);
        if (failing) this.#o.logger.info('watch definitions: polling the cluster works again');
        failing = false;
        if (clock.now() - prunedAt >= 3_600_000) {
          prunedAt = clock.now();
          await this.#pruneTombstones(clock.now() - tombstoneMs);
        }
      } catch (e) {
        // The cluster is away: the watches loaded keep running; the next poll looks from the same point.
        if (!failing) this.#o.logger.warn({ err: (e as Error).message }, 'watch definitions: cannot poll the cluster for changes; retrying');
        failing = true;
      }
      if (!closed) timer = clock.setTimeout(() => void tick(), pollMs);
    };
    timer = clock.setTimeout(() => void tick(), pollMs);
    return {
      close: () => {
        closed = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        this.#listeners.delete(onChange);
      },
    };
  }

  locate(ref: WatchRef): string {
    return `${this.#o.index}/${watchDocId(ref)}`;
  }

  /**
   * One poll: reports what other writers changed since `since` (less the overlap); returns where the
   * next poll starts: when this one began, by this process's clock (a writer whose clock runs ahead
   * cannot move the window past the others' writes; a failed poll leaves it where it was).
   */
  async #poll(since: number, onChange: (c: WatchChange) => void): Promise<number> {
    const { docs, index, overlapMs, node, clock } = this.#o;
    const began = clock.now();
    const from = since - overlapMs;
    let after: unknown[] | undefined;
    for (;;) {
      const body = {
        query: { bool: { filter: [{ range: { updated_at: { gte: from } } }], must_not: [{ term: { written_by: node } }] } },
        sort: [{ updated_at: 'asc' }, { tenant: 'asc' }, { watch_id: 'asc' }],
        size: PAGE,
        seq_no_primary_term: true,
        _source: ['tenant', 'watch_id', 'version', 'deleted', 'updated_at'],
        ...(after ? { search_after: after } : {}),
      };
      const page = await docs.search<WatchDocSource>(index, body);
      for (const h of page.hits) {
        if (this.#note(h)) onChange({ status: 'changed', ref: { tenant: h.source.tenant, id: h.source.watch_id }, location: `${index}/${h.id}` });
      }
      if (page.hits.length < PAGE) break;
      after = page.hits.at(-1)!.sort;
    }
    for (const [id, s] of this.#seen) if (s.at < from) this.#seen.delete(id);
    return began;
  }

  /** Records a document seen by a poll; false when this version of it was reported already. */
  #note(d: Doc<Pick<WatchDocSource, 'updated_at' | 'version' | 'deleted'>>): boolean {
    const s = d.source;
    // A cluster that does not return `_seq_no` still gets a mark that changes with every write.
    const mark = d.seqNo >= 0 ? `${d.primaryTerm}:${d.seqNo}` : `${s.updated_at}|${s.deleted ? '-' : s.version}`;
    const seen = this.#seen.get(d.id);
    if (seen?.mark === mark) return false;
    if (seen) {
      seen.mark = mark;
      seen.at = s.updated_at;
    } else this.#seen.set(d.id, { mark, at: s.updated_at });
    return true;
  }

  async #pruneTombstones(before: number): Promise<void> {
    const removed = await this.#o.docs.deleteByQuery(this.#o.index, { bool: { filter: [{ term: { deleted: true } }, { range: { updated_at: { lt: before } } }] } });
    if (removed) this.#o.logger.debug({ removed }, 'watch definitions: old tombstones removed');
  }

  /**
   * Tells listeners of a write of this process. `read` is what was just written and acknowledged: a
   * listener that reads the watch back at once (the runtime reloads each change) gets it without a GET.
   * It is handed over only while the listeners run, so any later read goes to the cluster.
   */
  #tell(ref: WatchRef, read?: WatchRead): void {
    const change: WatchChange = { status: 'changed', ref, location: this.locate(ref) };
    this.#fresh = read;
    try {
      for (const l of this.#listeners) l(change);
    } finally {
      this.#fresh = undefined;
    }
  }

  #raw(ref: WatchRef): Promise<Doc<WatchDocSource> | undefined> {
    return this.#o.docs.get<WatchDocSource>(this.#o.index, watchDocId(ref));
  }

  async #write(ref: WatchRef, fields: Pick<WatchDocSource, 'source' | 'version' | 'origin' | 'file_version' | 'saved_by'>): Promise<WatchSource> {
    const doc: WatchDocSource = { tenant: ref.tenant, watch_id: ref.id, ...fields, written_by: this.#o.node, deleted: false, updated_at: this.#o.clock.now() };
    await this.#o.docs.write({ op: 'index', index: this.#o.index, id: watchDocId(ref), document: doc as never });
    return { ref, location: this.locate(ref), text: fields.source!, version: fields.version!, writtenBy: this.#o.node };
  }

  async #tombstone(ref: WatchRef, cas?: Cas): Promise<void> {
    const doc: WatchDocSource = { tenant: ref.tenant, watch_id: ref.id, written_by: this.#o.node, deleted: true, updated_at: this.#o.clock.now() };
    await this.#o.docs.write({ op: 'index', index: this.#o.index, id: watchDocId(ref), document: doc as never, ...(cas ? { cas } : {}) });
  }

  #read(d: Doc<WatchDocSource>): WatchRead {
    const s = d.source;
    const ref = { tenant: s.tenant, id: s.watch_id };
    const location = this.locate(ref);
    if (typeof s.source !== 'string') return { status: 'unreadable', ref, location, problem: 'the stored document holds no definition' };
    return { status: 'found', ref, source: { ref, location, text: s.source, version: s.version ?? sourceVersion(s.source), writtenBy: s.written_by } };
  }
}
