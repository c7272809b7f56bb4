/**
 * The test cluster's data and the engine rules every API goes through: index creation (templates,
 * settings, mappings, aliases), document writes and deletes with `_seq_no`/`_primary_term`,
 * `_version` (internal or external), compare-and-set and `op_type=create` conflicts, dynamic mapping,
 * and refresh. Every acknowledged change goes to the journal when persistence is on.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../src/clock.ts';
import { httpError, illegalArgument, indexNotFound, versionConflict } from './errors.ts';
import { prefixMappingError, validateIndexName } from './index-names.ts';
import { IndexData, type AliasSpec, type StoredDoc } from './index-data.ts';
import { mergeMappings, parseMappings, type MappingOptions, type RootMapping } from './mapping.ts';
import { applyDocument } from './mapping-docs.ts';
import { mergeSettings, parseSettings } from './settings.ts';
import { Templates } from './templates.ts';
import { Refresher } from './refresh.ts';
import type { IndexMeta, Journal, JournalRecord } from './journal.ts';

export type { StoredDoc, AliasSpec } from './index-data.ts';
export { IndexData } from './index-data.ts';
export type { FieldType } from './mapping.ts';

export interface WriteOptions {
  opType?: 'index' | 'create';
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  /** With `versionType` external or external_gte: the version to store (checked against the current one). */
  version?: number;
  versionType?: 'internal' | 'external' | 'external_gte';
  /** The JSON text of the source, so errors can name where a bad value sits. */
  raw?: string;
}

export interface WriteResult {
  index: IndexData;
  doc: StoredDoc;
  result: 'created' | 'updated';
}

export interface DeleteResult {
  index: IndexData;
  found: boolean;
  seqNo: number;
  version: number;
}

export interface StoreOptions {
  distribution: 'elasticsearch' | 'opensearch';
  clock?: Clock;
  /** `index.version.created` shown by `GET /{index}`. */
  versionCreated?: string;
  /** The refresh interval of indices whose settings name none; default 1 s, as on a real node. */
  refreshIntervalMs?: number;
}

/** The body of an index creation: `PUT /{index}`, or nothing for auto-creation. */
export interface CreateIndexBody {
  settings?: unknown;
  mappings?: unknown;
  aliases?: Record<string, AliasSpec>;
}

export class Store {
  readonly indices = new Map<string, IndexData>();
  readonly scripts = new Map<string, { lang: string; source: unknown }>();
  readonly templates = new Templates();
  readonly clock: Clock;
  readonly refresher: Refresher;
  readonly mappingOptions: MappingOptions;
  readonly versionCreated: string;
  readonly #defaultRefreshMs: number;
  /** Set by persistence; every change is appended before the request that made it is answered. */
  journal: Journal | undefined;
  /** The flood-stage block: every document write is refused with 429, as when a node's disk fills. */
  readOnly = false;
  readonly #refreshListeners = new Set<(index: IndexData) => void>();

  constructor(opts: StoreOptions = { distribution: 'elasticsearch' }) {
    this.clock = opts.clock ?? systemClock;
    this.mappingOptions = { distribution: opts.distribution };
    this.versionCreated = opts.versionCreated ?? '8000099';
    this.#defaultRefreshMs = opts.refreshIntervalMs ?? 1000;
    this.refresher = new Refresher(this.clock, (index) => this.refresh(index as IndexData));
  }

  record(rec: JournalRecord): void {
    this.journal?.append(rec);
  }

  /** Creates an index from templates matching its name and `body` (which wins over them). */
  createIndex(name: string, body: CreateIndexBody = {}): IndexData {
    validateIndexName(name);
    if (this.indices.has(name)) throw httpError(400, 'resource_already_exists_exception', `index [${name}/${this.indices.get(name)!.uuid}] already exists`, { index_uuid: this.indices.get(name)!.uuid, index: name });
    if (this.aliasIndices(name).length > 0) throw httpError(400, 'invalid_index_name_exception', `Invalid index name [${name}], already exists as alias`, { index_uuid: '_na_', index: name });
    const template = this.templates.match(name);
    const base = template ? this.templates.compose(template, this.mappingOptions) : undefined;
    let mapping: RootMapping;
    try {
      mapping = mergeMappings(base?.mappings ?? {}, parseMappings(body.mappings, this.mappingOptions));
    } catch (e) {
      throw prefixMappingError(e);
    }
    const settings = mergeSettings(base?.settings ?? { flat: {} }, parseSettings(body.settings));
    const data = new IndexData({ name, created: this.clock.now(), createdMono: this.clock.monotonic(), settings, mapping, mappingOptions: this.mappingOptions, defaultRefreshMs: this.#defaultRefreshMs });
    for (const [alias, spec] of Object.entries({ ...base?.aliases, ...body.aliases })) data.aliases.set(alias, { ...(spec as AliasSpec) });
    this.indices.set(name, data);
    this.record({ t: 'index_created', meta: metaOf(data) });
    return data;
  }

  /** Puts back an index as persistence recorded it (no templates, no journal). */
  restoreIndex(meta: IndexMeta): IndexData {
    const data = new IndexData({ name: meta.name, uuid: meta.uuid, created: meta.created, createdMono: this.clock.monotonic(), settings: { flat: meta.settings }, mapping: meta.mapping, mappingOptions: this.mappingOptions, defaultRefreshMs: this.#defaultRefreshMs });
    for (const [alias, spec] of Object.entries(meta.aliases)) data.aliases.set(alias, spec);
    data.primaryTerm = meta.primaryTerm;
    data.nextSeqNo = meta.nextSeqNo;
    this.indices.set(meta.name, data);
    return data;
  }

  deleteIndex(name: string): void {
    const data = this.get(name);
    this.indices.delete(name);
    this.refresher.forget(data);
    this.record({ t: 'index_deleted', index: name });
  }

  get(name: string): IndexData {
    const data = this.indices.get(name);
    if (!data) throw indexNotFound(name);
    return data;
  }

  /** Indices an alias points to. */
  aliasIndices(alias: string): IndexData[] {
    return [...this.indices.values()].filter((i) => i.aliases.has(alias));
  }

  /**
   * The index a write to `target` lands in: the index itself, or an alias's write index. A missing
   * target is auto-created when `autoCreate` (as `action.auto_create_index` allows by default).
   */
  writeIndex(target: string, autoCreate: boolean): IndexData {
    const direct = this.indices.get(target);
    if (direct) return direct;
    const aliased = this.aliasIndices(target);
    if (aliased.length === 0) {
      if (autoCreate) return this.createIndex(target);
      throw indexNotFound(target);
    }
    const explicit = aliased.filter((i) => i.aliases.get(target)!.is_write_index === true);
    if (explicit.length === 1) return explicit[0]!;
    if (aliased.length === 1 && aliased[0]!.aliases.get(target)!.is_write_index !== false) return aliased[0]!;
    throw illegalArgument(
      `no write index is defined for alias [${target}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
    );
  }

  /** The index a single-document read of `target` reads: the index, or the one index of an alias. */
  readIndex(target: string): IndexData {
    const direct = this.indices.get(target);
    if (direct) return direct;
    const aliased = this.aliasIndices(target);
    if (aliased.length === 0) throw indexNotFound(target);
    if (aliased.length > 1) {
      throw illegalArgument(`alias [${target}] has more than one index associated with it [${aliased.map((i) => i.name).join(', ')}], can't execute a single index op`);
    }
    return aliased[0]!;
  }

  putMapping(data: IndexData, body: unknown): void {
    data.mapping = mergeMappings(data.mapping, parseMappings(body, this.mappingOptions));
    this.record({ t: 'mapping', index: data.name, mapping: data.mapping });
  }

  setAliases(data: IndexData, aliases: Map<string, AliasSpec>): void {
    data.aliases.clear();
    for (const [k, v] of aliases) data.aliases.set(k, v);
    this.record({ t: 'aliases', index: data.name, aliases: Object.fromEntries(data.aliases) });
  }

  /** Indexes a document into `target` (auto-creating it), applying the engine's conflict rules. */
  write(target: string, id: string | undefined, source: Record<string, unknown>, opts: WriteOptions = {}): WriteResult {
    const data = this.writeIndex(target, true);
    this.#checkBlock(data);
    const docId = id ?? randomBytes(15).toString('base64url');
    // The real node parses the document (and publishes any new mappings) before the engine checks versions.
    const mapping = applyDocument(data.mapping, source, { ...this.mappingOptions, id: docId, raw: opts.raw });
    if (mapping) {
      data.mapping = mapping;
      this.record({ t: 'mapping', index: data.name, mapping });
    }
    const current = data.docs.get(docId);
    if (opts.opType === 'create' && current) throw versionConflict(data, docId, `document already exists (current version [${current.version}])`);
    const version = this.#nextVersion(data, docId, current, opts);
    const doc: StoredDoc = { id: docId, source, seqNo: data.nextSeqNo++, primaryTerm: data.primaryTerm, version };
    data.putDoc(doc);
    data.tombstones.delete(docId);
    this.#written(data);
    this.record({ t: 'doc', index: data.name, id: docId, source, seqNo: doc.seqNo, primaryTerm: doc.primaryTerm, version });
    return { index: data, doc, result: current ? 'updated' : 'created' };
  }

  /** Deletes a document (a missing one still takes a `_seq_no` and leaves a tombstone, as on a real node). */
  delete(target: string, id: string, opts: WriteOptions = {}): DeleteResult {
    const data = this.writeIndex(target, false);
    this.#checkBlock(data);
    const current = data.docs.get(id);
    const version = this.#nextVersion(data, id, current, opts);
    const seqNo = data.nextSeqNo++;
    data.removeDoc(id);
    data.addTombstone(id, version, seqNo, this.clock.monotonic());
    this.#written(data);
    this.record({ t: 'doc_deleted', index: data.name, id, seqNo });
    return { index: data, found: current !== undefined, seqNo, version };
  }

  /** Makes an index's writes searchable now (`_refresh`, `refresh=true`, or the periodic refresh). */
  refresh(data: IndexData): void {
    const changed = data.refresh();
    this.refresher.refreshed(data);
    if (changed) for (const fn of this.#refreshListeners) fn(data);
  }

  /** Called after every refresh that changed what searches see (the request cache listens). */
  onRefresh(fn: (index: IndexData) => void): void {
    this.#refreshListeners.add(fn);
  }

  putScript(id: string, script: { lang: string; source: unknown }): void {
    this.scripts.set(id, script);
    this.record({ t: 'script', id, script });
  }

  deleteScript(id: string): boolean {
    const had = this.scripts.delete(id);
    if (had) this.record({ t: 'script', id, script: null });
    return had;
  }

  close(): void {
    this.refresher.close();
  }

  #checkBlock(data: IndexData): void {
    if (this.readOnly) {
      throw httpError(429, 'cluster_block_exception', `index [${data.name}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];`);
    }
  }

  #written(data: IndexData): void {
    this.refresher.written(data);
  }

  /** Compare-and-set and version checks; the version the write will have. */
  #nextVersion(data: IndexData, id: string, current: StoredDoc | undefined, opts: WriteOptions): number {
    if (opts.ifSeqNo !== undefined) {
      const required = `required seqNo [${opts.ifSeqNo}], primary term [${opts.ifPrimaryTerm}].`;
      if (!current) throw versionConflict(data, id, `${required} but no document was found`);
      if (current.seqNo !== opts.ifSeqNo || current.primaryTerm !== opts.ifPrimaryTerm) {
        throw versionConflict(data, id, `${required} current document has seqNo [${current.seqNo}] and primary term [${current.primaryTerm}]`);
      }
    }
    const previous = current?.version ?? data.tombstone(id, this.clock.monotonic())?.version;
    if (opts.versionType === 'external' || opts.versionType === 'external_gte') {
      const wanted = opts.version!;
      if (previous !== undefined) {
        const gte = opts.versionType === 'external_gte';
        if (gte ? wanted < previous : wanted <= previous) {
          throw versionConflict(data, id, `current version [${previous}] is higher ${gte ? 'than' : 'or equal to'} the one provided [${wanted}]`);
        }
      }
      return wanted;
    }
    return (previous ?? 0) + 1;
  }
}

/** An index's metadata as the journal keeps it. */
export function metaOf(data: IndexData): IndexMeta {
  return {
    name: data.name,
    uuid: data.uuid,
    created: data.created,
    settings: data.settings.flat,
    mapping: data.mapping,
    aliases: Object.fromEntries(data.aliases),
    primaryTerm: data.primaryTerm,
    nextSeqNo: data.nextSeqNo,
  };
}
