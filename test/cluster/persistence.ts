/**
 * Optional persistence to a directory, so a test can stop the cluster (even with SIGKILL) and start
 * it again with its acknowledged documents, `_seq_no`s, mappings, aliases, templates and scripts.
 *
 * The directory holds `snapshot.json` (the whole store, with a generation number) and
 * `journal-<generation>.ndjson` (one record per change since). The server fsyncs the journal before it
 * answers a request that changed anything, so whatever was acknowledged survives a kill. Opening the
 * directory replays snapshot and journal (a torn last line, from a kill mid-write, is dropped: it was
 * never acknowledged), then writes a new snapshot atomically (temp file, fsync, rename) and starts an
 * empty journal of the next generation. Each reopened index's primary term goes up by one, as a
 * primary shard's does when it is recovered on a restarted node.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.ts';
import { metaOf } from './store.ts';
import type { IndexMeta, Journal, JournalRecord } from './journal.ts';
import type { ComponentTemplate, IndexTemplate } from './templates.ts';

interface Snapshot {
  generation: number;
  indices: Array<{ meta: IndexMeta; docs: Array<[id: string, seqNo: number, primaryTerm: number, version: number, source: Record<string, unknown>]> }>;
  indexTemplates: Record<string, IndexTemplate>;
  componentTemplates: Record<string, ComponentTemplate>;
  scripts: Record<string, { lang: string; source: unknown }>;
}

const SNAPSHOT = 'snapshot.json';
const journalName = (generation: number) => `journal-${generation}.ndjson`;

function apply(store: Store, rec: JournalRecord): void {
  switch (rec.t) {
    case 'index_created':
      store.restoreIndex(rec.meta);
      return;
    case 'index_deleted':
      store.indices.delete(rec.index);
      return;
    case 'mapping':
      store.get(rec.index).mapping = rec.mapping;
      return;
    case 'settings':
      store.get(rec.index).settings = { flat: rec.settings };
      return;
    case 'aliases': {
      const data = store.get(rec.index);
      data.aliases.clear();
      for (const [k, v] of Object.entries(rec.aliases)) data.aliases.set(k, v);
      return;
    }
    case 'doc': {
      const data = store.get(rec.index);
      data.docs.set(rec.id, { id: rec.id, source: rec.source, seqNo: rec.seqNo, primaryTerm: rec.primaryTerm, version: rec.version });
      data.nextSeqNo = Math.max(data.nextSeqNo, rec.seqNo + 1);
      return;
    }
    case 'doc_deleted': {
      const data = store.get(rec.index);
      data.docs.delete(rec.id);
      data.nextSeqNo = Math.max(data.nextSeqNo, rec.seqNo + 1);
      return;
    }
    case 'index_template':
      if (rec.template) store.templates.index.set(rec.name, rec.template);
      else store.templates.index.delete(rec.name);
      return;
    case 'component_template':
      if (rec.template) store.templates.component.set(rec.name, rec.template);
      else store.templates.component.delete(rec.name);
      return;
    case 'script':
      if (rec.script) store.scripts.set(rec.id, rec.script);
      else store.scripts.delete(rec.id);
      return;
  }
}

function snapshotOf(store: Store, generation: number): Snapshot {
  return {
    generation,
    indices: [...store.indices.values()].map((i) => ({ meta: metaOf(i), docs: [...i.docs.values()].map((d) => [d.id, d.seqNo, d.primaryTerm, d.version, d.source]) })),
    indexTemplates: Object.fromEntries(store.templates.index),
    componentTemplates: Object.fromEntries(store.templates.component),
    scripts: Object.fromEntries(store.scripts),
  };
}

function writeDurably(dir: string, name: string, text: string): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** The journal of a data directory; see the module comment for the layout and guarantees. */
export class DirectoryJournal implements Journal {
  readonly #fd: number;
  #dirty = false;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Loads `dir` into an empty store (creating the directory if needed) and attaches the journal to it. */
  static open(dir: string, store: Store): DirectoryJournal {
    mkdirSync(dir, { recursive: true });
    let generation = 0;
    const snapshotPath = join(dir, SNAPSHOT);
    if (existsSync(snapshotPath)) {
      const snap = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
      generation = snap.generation;
      for (const { meta, docs } of snap.indices) {
        const data = store.restoreIndex(meta);
        for (const [id, seqNo, primaryTerm, version, source] of docs) data.docs.set(id, { id, seqNo, primaryTerm, version, source });
      }
      for (const [k, v] of Object.entries(snap.indexTemplates)) store.templates.index.set(k, v);
      for (const [k, v] of Object.entries(snap.componentTemplates)) store.templates.component.set(k, v);
      for (const [k, v] of Object.entries(snap.scripts)) store.scripts.set(k, v);
    }
    const journalPath = join(dir, journalName(generation));
    if (existsSync(journalPath)) {
      const lines = readFileSync(journalPath, 'utf8').split('\n');
      lines.forEach((line, n) => {
        if (line === '') return;
        let rec: JournalRecord;
        try {
          rec = JSON.parse(line) as JournalRecord;
        } catch (e) {
          // Only the last line can be torn (a kill during its write, before it was acknowledged).
          if (n === lines.length - 1) return;
          throw new Error(`${journalPath}: line ${n + 1} is not a journal record`, { cause: e });
        }
        apply(store, rec);
      });
    }
    for (const data of store.indices.values()) {
      data.primaryTerm += 1;
      data.rebuildView();
    }
    writeDurably(dir, SNAPSHOT, JSON.stringify(snapshotOf(store, generation + 1)));
    for (const f of readdirSync(dir)) {
      const m = /^journal-(\d+)\.ndjson$/.exec(f);
      if (m && Number(m[1]) <= generation) rmSync(join(dir, f));
    }
    const journal = new DirectoryJournal(openSync(join(dir, journalName(generation + 1)), 'a'));
    store.journal = journal;
    return journal;
  }

  append(record: JournalRecord): void {
    writeSync(this.#fd, JSON.stringify(record) + '\n');
    this.#dirty = true;
  }

  sync(): void {
    if (!this.#dirty) return;
    fsyncSync(this.#fd);
    this.#dirty = false;
  }

  close(): void {
    this.sync();
    closeSync(this.#fd);
  }
}
