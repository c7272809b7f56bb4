/**
 * One index of the test cluster: its settings, mappings and aliases, the live documents a realtime GET
 * reads, and the refreshed view searches read. One primary shard per index, so `_seq_no` counts per
 * index as it does on a one-shard index; deletes leave tombstones for `index.gc_deletes` (60 s), so a
 * document deleted and written again continues its `_version` as on a real node.
 */
import { randomBytes } from 'node:crypto';
import type { Refreshable } from './refresh.ts';
import { flatten, type FieldType, type MappingOptions, type RootMapping } from './mapping.ts';
import { isHidden, refreshIntervalMs, replicas, type IndexSettings } from './settings.ts';

export interface StoredDoc {
  readonly id: string;
  readonly source: Record<string, unknown>;
  readonly seqNo: number;
  readonly primaryTerm: number;
  readonly version: number;
}

/** An alias's definition on one index, as `GET _alias` shows it. */
export interface AliasSpec {
  is_write_index?: boolean;
  is_hidden?: boolean;
  filter?: unknown;
  routing?: string;
  index_routing?: string;
  search_routing?: string;
}

const GC_DELETES_MS = 60_000;

export class IndexData implements Refreshable {
  readonly name: string;
  readonly uuid: string;
  /** Epoch milliseconds (`creation_date`). */
  readonly created: number;
  readonly createdMono: number;
  settings: IndexSettings;
  #mapping: RootMapping = {};
  #flat = new Map<string, FieldType>();
  readonly #mappingOptions: MappingOptions;
  /** The latest version of every document (realtime GET). Written through `putDoc` and `removeDoc`. */
  readonly docs = new Map<string, StoredDoc>();
  #view = new Map<string, StoredDoc>();
  /** A search context holds the current view: the next refresh replaces it instead of changing it. */
  #viewPinned = false;
  /** Ids written or deleted since the last refresh. */
  readonly #changed = new Set<string>();
  /** Ids that took a new place in `docs` (first written, or written again after a delete) since the last refresh, in `docs` order. */
  readonly #placed = new Set<string>();
  /** Counts the refreshes that changed the view (what per-view caches key on). */
  viewGeneration = 0;
  readonly tombstones = new Map<string, { version: number; seqNo: number; atMono: number }>();
  readonly aliases = new Map<string, AliasSpec>();
  nextSeqNo = 0;
  primaryTerm = 1;
  dirty = false;

  readonly #defaultRefreshMs: number;

  constructor(init: {
    name: string;
    uuid?: string;
    created: number;
    createdMono: number;
    settings: IndexSettings;
    mapping: RootMapping;
    mappingOptions: MappingOptions;
    /** The refresh interval of an index whose settings name none. */
    defaultRefreshMs: number;
  }) {
    this.#defaultRefreshMs = init.defaultRefreshMs;
    this.name = init.name;
    this.uuid = init.uuid ?? randomBytes(16).toString('base64url').slice(0, 22);
    this.created = init.created;
    this.createdMono = init.createdMono;
    this.settings = init.settings;
    this.#mappingOptions = init.mappingOptions;
    this.mapping = init.mapping;
  }

  get mapping(): RootMapping {
    return this.#mapping;
  }

  set mapping(m: RootMapping) {
    this.#mapping = m;
    this.#flat = flatten(m, this.#mappingOptions);
  }

  /** Field path → type family, as searches resolve fields. */
  get mappings(): ReadonlyMap<string, FieldType> {
    return this.#flat;
  }

  get hidden(): boolean {
    return isHidden(this.settings);
  }

  intervalMs(): number {
    return refreshIntervalMs(this.settings) ?? this.#defaultRefreshMs;
  }

  /** `_shards` of a write answer: the primary and its replicas, of which only the primary exists on one node. */
  shards(): { total: number; successful: number; failed: number } {
    return { total: 1 + replicas(this.settings), successful: 1, failed: 0 };
  }

  /** The tombstone of a recently deleted document, if it has not been collected yet. */
  tombstone(id: string, nowMono: number): { version: number; seqNo: number } | undefined {
    const t = this.tombstones.get(id);
    if (t && nowMono - t.atMono >= GC_DELETES_MS) {
      this.tombstones.delete(id);
      return undefined;
    }
    return t;
  }

  /** Records a delete's tombstone, collecting expired ones now and then so deletes cannot grow the map without bound. */
  addTombstone(id: string, version: number, seqNo: number, nowMono: number): void {
    this.tombstones.set(id, { version, seqNo, atMono: nowMono });
    if (this.tombstones.size % 1024 === 0) for (const [k, t] of this.tombstones) if (nowMono - t.atMono >= GC_DELETES_MS) this.tombstones.delete(k);
  }

  /** The documents as of the last refresh (search, count, aggregations, realtime=false GET), in `docs` order. */
  get searchable(): ReadonlyMap<string, StoredDoc> {
    return this.#view;
  }

  /** The current view, kept as it is for a point in time or a scroll: later refreshes replace it, never change it. */
  pinView(): ReadonlyMap<string, StoredDoc> {
    this.#viewPinned = true;
    return this.#view;
  }

  /** Writes the latest version of a document (not searchable until the next refresh). */
  putDoc(doc: StoredDoc): void {
    if (!this.docs.has(doc.id)) {
      // Mirrors the Map: a key set anew goes to the end, after every earlier one.
      this.#placed.delete(doc.id);
      this.#placed.add(doc.id);
    }
    this.docs.set(doc.id, doc);
    this.#changed.add(doc.id);
    this.dirty = true;
  }

  /** Deletes the latest version of a document (still searchable until the next refresh). */
  removeDoc(id: string): void {
    this.docs.delete(id);
    this.#placed.delete(id);
    this.#changed.add(id);
    this.dirty = true;
  }

  /**
   * Makes every write so far searchable; false when there was nothing to do. Applies only the ids
   * changed since the last refresh (copying every document each second made a growing index's
   * refresh, and the garbage it left, the test cluster's dearest work), so the view keeps `docs`'
   * order: changed documents in their place, removed ones dropped, newly placed ones appended in
   * `docs` order. A view a search context holds is replaced instead.
   */
  refresh(): boolean {
    if (!this.dirty) return false;
    if (this.#viewPinned) {
      this.#view = new Map(this.docs);
      this.#viewPinned = false;
    } else {
      for (const id of this.#changed) {
        const doc = this.docs.get(id);
        if (doc === undefined) this.#view.delete(id);
        else if (!this.#placed.has(id)) this.#view.set(id, doc);
      }
      for (const id of this.#placed) {
        this.#view.delete(id);
        this.#view.set(id, this.docs.get(id)!);
      }
    }
    this.#changed.clear();
    this.#placed.clear();
    this.dirty = false;
    this.viewGeneration++;
    return true;
  }

  /** Makes the view `docs` as they are, after `docs` was filled directly (recovery from disk). */
  rebuildView(): void {
    this.#view = new Map(this.docs);
    this.#viewPinned = false;
    this.#changed.clear();
    this.#placed.clear();
    this.dirty = false;
    this.viewGeneration++;
  }
}
