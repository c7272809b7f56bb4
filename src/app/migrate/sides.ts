/**
 * The two ends of a migration, each seen the same way whichever backend it is: the state store, the
 * watch definitions (a folder, or the cluster's index), the accounts (a folder, or the cluster's index)
 * and the execution log read in bulk. SQLite's side holds its data folder's lock, so a migration
 * refuses a folder a daemon holds.
 */
import type { Logger } from 'pino';
import { systemClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import type { VigilConfig } from '../../config/schema.ts';
import { openStateStore } from '../../state/open-store.ts';
import type { StateStore } from '../../state/types.ts';
import type { WatchLogRecord } from '../../state/records.ts';
import type { AccountDocStore } from '../../accounts/doc-store.ts';
import { AccountFileStore } from '../../accounts/store.ts';
import { FileWatchRepository } from '../../watches/file-repository.ts';
import type { WatchRef } from '../../watches/repository.ts';
import { openClusterBackend, type ClusterBackend } from '../cluster-backend.ts';
import { savedOverApi } from './saved-over-api.ts';

/** A watch definition as copied: its text, kept byte for byte (its version is the text's hash). */
export interface Definition {
  ref: WatchRef;
  text: string;
}

export interface Side {
  readonly kind: 'sqlite' | 'cluster';
  /** For messages: the data folder, or the cluster's index prefix. */
  readonly where: string;
  readonly store: StateStore;
  readonly accounts: AccountDocStore;
  /** Every definition kept (unreadable ones are left out and counted by the caller from `list`). */
  definitions(): Promise<{ found: Definition[]; unreadable: number }>;
  /** The stored text of one definition, or undefined. */
  definition(ref: WatchRef): Promise<string | undefined>;
  /**
   * Stores a definition as a copy. The cluster records where it came from: the API when the text is
   * what the API writes (the definition with its saver, `_vigil.saved_by`), a file otherwise.
   */
  putDefinition(d: Definition): Promise<void>;
  /** Every execution-log record, oldest first where the store can tell. */
  logRecords(): AsyncIterable<WatchLogRecord>;
  /** The ids of the execution-log records kept. */
  logIds(): Promise<Set<string>>;
  close(): Promise<void>;
}

const PAGE = 1000;

/** SQLite's side: the data folder (locked while open), the watches folder, the accounts folder. */
export function sqliteSide(config: VigilConfig): Side {
  const store = openStateStore(config.data_dir);
  const files = new FileWatchRepository({ root: config.watches_dir, logger: silentLogger() });
  const pages = async function* (): AsyncIterable<WatchLogRecord> {
    // Newest first: the order this store pages in (the cluster sorts by time whatever the order of copying).
    for (let from = 0; ; from += PAGE) {
      const page = await store.log.query({ from, size: PAGE });
      yield* page;
      if (page.length < PAGE) return;
    }
  };
  return {
    kind: 'sqlite',
    where: config.data_dir,
    store,
    accounts: new AccountFileStore(config.accounts_dir),
    async definitions() {
      const found: Definition[] = [];
      let unreadable = 0;
      for (const e of await files.list()) {
        if (e.status === 'found') found.push({ ref: e.ref, text: e.source.text });
        else unreadable++;
      }
      return { found, unreadable };
    },
    async definition(ref) {
      const r = await files.get(ref);
      return r.status === 'found' ? r.source.text : undefined;
    },
    async putDefinition(d) {
      await files.putText(d.ref, d.text);
    },
    logRecords: pages,
    async logIds() {
      const ids = new Set<string>();
      for await (const r of pages()) ids.add(r.id);
      return ids;
    },
    close: () => store.close(),
  };
}

/** The cluster's side: every index of the configured prefix. */
export async function clusterSide(config: VigilConfig, o: { logger: Logger; node: string }): Promise<Side> {
  const b: ClusterBackend = await openClusterBackend(config, { logger: o.logger, clock: systemClock, node: o.node, recover: false });
  const { docs, store } = b;
  return {
    kind: 'cluster',
    where: `${config.state.index_prefix}-* on cluster [${config.state.cluster}]`,
    store,
    accounts: b.accounts,
    async definitions() {
      const found: Definition[] = [];
      let unreadable = 0;
      for (const e of await b.watches.list()) {
        if (e.status === 'found') found.push({ ref: e.ref, text: e.source.text });
        else unreadable++;
      }
      return { found, unreadable };
    },
    async definition(ref) {
      const r = await b.watches.get(ref);
      return r.status === 'found' ? r.source.text : undefined;
    },
    async putDefinition(d) {
      const saved = savedOverApi(d.text);
      if (saved) await b.watches.put(d.ref, saved.definition, saved.savedBy);
      else await b.watches.applyFile(d.ref, d.text);
    },
    async *logRecords() {
      await docs.refresh(store.names.logPattern);
      const sort = [{ execution_end: 'asc' }, { id: 'asc' }];
      for await (const d of docs.scan<{ record: WatchLogRecord }>(store.names.logPattern, { match_all: {} }, sort, PAGE)) yield d.source.record;
    },
    async logIds() {
      await docs.refresh(store.names.logPattern);
      const ids = new Set<string>();
      let after: unknown[] | undefined;
      for (;;) {
        const body = { _source: ['id'], sort: [{ execution_end: 'asc' }, { id: 'asc' }], size: PAGE, ...(after ? { search_after: after } : {}) };
        const page = await docs.search<{ id: string }>(store.names.logPattern, body);
        for (const h of page.hits) ids.add(h.source.id);
        if (page.hits.length < PAGE) return ids;
        after = page.hits.at(-1)!.sort;
      }
    },
    close: () => store.close(),
  };
}
