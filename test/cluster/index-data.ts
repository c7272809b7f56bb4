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
  /** The latest version of every document (realtime GET). */
  readonly docs = new Map<string, StoredDoc>();
  /** The documents as of the last refresh (search, count, aggregations, realtime=false GET). Replaced, never mutated. */
  searchable: ReadonlyMap<string, StoredDoc> = new Map();
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

  /** Makes every write so far searchable; false when there was nothing to do. */
  refresh(): boolean {
    if (!this.dirty) return false;
    this.searchable = new Map(this.docs);
    this.dirty = false;
    return true;
  }
}
