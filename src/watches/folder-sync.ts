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
    for (const e of await this.#o.files.list()) {
      if (e.status === 'misnamed') {
        this.#o.logger.error({ file: e.location }, `watch file ignored: ${e.problem}`);
        counts.skipped++;
        continue;
      }
      // An unreadable file still names a watch: it is not taken for a deleted one.
      present.add(watchKey(e.ref));
      const outcome = await this.#apply(e);
      if (outcome) counts[outcome]++;
      else counts.skipped++;
    }
    for (const s of await this.#o.cluster.origins()) {
      if (s.origin !== 'file' || s.writtenBy !== this.#o.node || present.has(watchKey(s.ref))) continue;
      if (await this.#deleted(s.ref)) counts.deleted++;
    }
    return counts;
  }

  /** Applies each change of the folder as it happens, until `close()`. */
  follow(): { close(): void } {
    return this.#o.files.watch((c) => {
      if (c.status === 'misnamed') return void this.#o.logger.error({ file: c.location }, `watch file ignored: ${c.problem}`);
      void this.#changed(c.ref).catch((e: unknown) =>
        this.#o.logger.error({ tenant: c.ref.tenant, watch: c.ref.id, err: (e as Error).message }, 'watch file not applied to the cluster; it is applied again at its next change or on SIGHUP'),
      );
    });
  }

  async #changed(ref: WatchRef): Promise<void> {
    const read = await this.#o.files.get(ref);
    if (read.status === 'missing') await this.#deleted(ref);
    else await this.#apply(read);
  }

  async #apply(e: WatchRead): Promise<FileOutcome | null> {
    const { ref } = e;
    if (e.status !== 'found') {
      if (e.status === 'unreadable') this.#o.logger.error({ tenant: ref.tenant, watch: ref.id, file: e.location }, `watch file not applied: ${e.problem}`);
      return null;
    }
    const outcome = await this.#o.cluster.applyFile(ref, e.source.text);
    const at = { tenant: ref.tenant, watch: ref.id, file: e.source.location, version: e.source.version, node: this.#o.node };
    if (outcome === 'created' || outcome === 'updated') this.#o.logger.info(at, `watch file applied to the cluster (${outcome})`);
    if (outcome === 'kept') this.#o.logger.info(at, 'watch file not applied: the watch was changed over the API since this file was applied; a change of the file applies it again');
    return outcome;
  }

  async #deleted(ref: WatchRef): Promise<boolean> {
    const gone = await this.#o.cluster.deleteFromFile(ref);
    if (gone) this.#o.logger.info({ tenant: ref.tenant, watch: ref.id, node: this.#o.node }, 'watch file removed: its watch is deleted from the cluster');
    return gone;
  }
}
