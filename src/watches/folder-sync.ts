/**
 * A watches folder applied to the cluster's watch definitions (the cluster backend): at start, on
 * SIGHUP and on every change of a file, a file whose content differs from the stored version replaces
 * it (see `ClusterWatchRepository.applyFile` for the one exception: a watch changed over the API keeps
 * that version until its file changes again). What runs is always the cluster's copy; the daemon reads
 * it back like any other change.
 *
 * Deletions: a file deleted while the daemon runs deletes its watch when the stored version came from a
 * file. At start, a stored watch whose file is missing is deleted only if this same daemon applied it
 * from its file: another daemon's folder, or the API, may be where it came from.
 */
import type { Logger } from 'pino';
import type { ClusterWatchRepository, FileOutcome } from './cluster-repository.ts';
import type { FileWatchRepository } from './file-repository.ts';
import { watchKey, type WatchRead, type WatchRef } from './repository.ts';

export interface FolderSyncOptions {
  files: FileWatchRepository;
  cluster: ClusterWatchRepository;
  /** This daemon's name (what the cluster records as the writer of what it applies). */
  node: string;
  logger: Logger;
}

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Changed over the API since their file was applied: the API's version stays. */
  kept: number;
  deleted: number;
  /** Files that could not be read or are misnamed (reported, nothing changed). */
  skipped: number;
}

export class FolderSync {
  readonly #o: FolderSyncOptions;

  constructor(o: FolderSyncOptions) {
    this.#o = o;
  }

  /** Applies every file of the folder, and deletes this daemon's file watches whose file is gone. */
  async applyAll(): Promise<SyncCounts> {
    const counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, kept: 0, deleted: 0, skipped: 0 };
    const present = new Set<string>();
    const reads: WatchRead[] = [];
    for (const e of await this.#o.files.list()) {
      if (e.status === 'misnamed') {
        this.#o.logger.error({ file: e.location }, `watch file ignored: ${e.problem}`);
        counts.skipped++;
        continue;
      }
      // An unreadable file still names a watch: it is not taken for a deleted one.
      present.add(watchKey(e.ref));
      reads.push(e);
    }
    for (const outcome of await this.#apply(reads)) {
      if (outcome) counts[outcome]++;
      else counts.skipped++;
    }
    for (const s of await this.#o.cluster.origins()) {
      if (s.origin !== 'file' || s.writtenBy !== this.#o.node || present.has(watchKey(s.ref))) continue;
      if (await this.#deleted(s.ref)) counts.deleted++;
    }
    return counts;
  }

  /**
   * Applies each change of the folder as it happens, until `close()`. Changes that arrive together (many
   * files dropped in at once) are applied together, in batches: while one batch is with the cluster, the
   * next one gathers.
   */
  follow(): { close(): void } {
    const pending = new Map<string, WatchRef>();
    let draining = false;
    let closed = false;
    const drain = async () => {
      draining = true;
      try {
        while (pending.size && !closed) {
          const refs = [...pending.values()];
          pending.clear();
          await this.#changed(refs).catch((e: unknown) =>
            this.#o.logger.error({ files: refs.length, err: (e as Error).message }, 'watch files not applied to the cluster; each is applied again at its next change or on SIGHUP'),
          );
        }
      } finally {
        draining = false;
      }
    };
    const feed = this.#o.files.watch((c) => {
      if (c.status === 'misnamed') return void this.#o.logger.error({ file: c.location }, `watch file ignored: ${c.problem}`);
      pending.set(watchKey(c.ref), c.ref);
      // A turn of the event loop first, so the files reported together go in one batch.
      if (!draining) setImmediate(() => void (draining || drain()));
    });
    return {
      close: () => {
        closed = true;
        feed.close();
      },
    };
  }

  async #changed(refs: WatchRef[]): Promise<void> {
    const reads: WatchRead[] = [];
    for (const ref of refs) {
      const read = await this.#o.files.get(ref);
      if (read.status === 'missing') await this.#deleted(ref);
      else reads.push(read);
    }
    await this.#apply(reads);
  }

  /** Applies the files read (one outcome each, null when not applied), logging what happened to each. */
  async #apply(reads: WatchRead[]): Promise<Array<FileOutcome | null>> {
    const found: Array<Extract<WatchRead, { status: 'found' }>> = [];
    for (const e of reads) {
      if (e.status === 'found') found.push(e);
      else if (e.status === 'unreadable') this.#o.logger.error({ tenant: e.ref.tenant, watch: e.ref.id, file: e.location }, `watch file not applied: ${e.problem}`);
    }
    const applied = found.length ? await this.#o.cluster.applyFiles(found.map((e) => ({ ref: e.ref, text: e.source.text }))) : [];
    const byKey = new Map<string, FileOutcome | null>();
    applied.forEach((r, i) => {
      const { ref, source } = found[i]!;
      const at = { tenant: ref.tenant, watch: ref.id, file: source.location, version: source.version, node: this.#o.node };
      if ('error' in r) {
        this.#o.logger.error({ ...at, err: r.error.message }, 'watch file not applied to the cluster; it is applied again at its next change or on SIGHUP');
        return void byKey.set(watchKey(ref), null);
      }
      byKey.set(watchKey(ref), r.outcome);
      if (r.outcome === 'created' || r.outcome === 'updated') this.#o.logger.info(at, `watch file applied to the cluster (${r.outcome})`);
      if (r.outcome === 'kept') this.#o.logger.info(at, 'watch file not applied: the watch was changed over the API since this file was applied; a change of the file applies it again');
    });
    return reads.map((e) => byKey.get(watchKey(e.ref)) ?? null);
  }

  async #deleted(ref: WatchRef): Promise<boolean> {
    const gone = await this.#o.cluster.deleteFromFile(ref);
    if (gone) this.#o.logger.info({ tenant: ref.tenant, watch: ref.id, node: this.#o.node }, 'watch file removed: its watch is deleted from the cluster');
    return gone;
  }
}
