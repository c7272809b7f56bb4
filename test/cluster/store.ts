/**
 * The test cluster's data: indices with a flat field mapping, documents with `_seq_no`/`_primary_term`,
 * and stored scripts. One shard per index, so `_seq_no` counts per index like a single-shard index does.
 * Writes are visible to search at once (as if every write were followed by a refresh).
 */
import { randomBytes } from 'node:crypto';
import { httpError, indexNotFound, versionConflict } from './errors.ts';
import { parseAbsolute } from './datemath.ts';

export type FieldType = 'keyword' | 'text' | 'long' | 'double' | 'date' | 'boolean' | 'object';

export interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
}

export interface IndexData {
  name: string;
  /** Field path → type; `x.keyword` sub-fields of text fields are implicit. */
  mappings: Map<string, FieldType>;
  docs: Map<string, StoredDoc>;
  nextSeqNo: number;
  uuid: string;
}

export interface WriteOptions {
  opType?: 'index' | 'create';
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
}

export interface WriteResult {
  doc: StoredDoc;
  result: 'created' | 'updated';
}

export class Store {
  readonly indices = new Map<string, IndexData>();
  readonly scripts = new Map<string, { lang: string; source: unknown }>();

  createIndex(name: string, properties?: Record<string, unknown>): IndexData {
    validateIndexName(name);
    const data: IndexData = { name, mappings: new Map(), docs: new Map(), nextSeqNo: 0, uuid: randomBytes(11).toString('base64url') };
    if (properties) addExplicitMappings(data.mappings, properties, '');
    this.indices.set(name, data);
    return data;
  }

  get(name: string): IndexData {
    const data = this.indices.get(name);
    if (!data) throw indexNotFound(name);
    return data;
  }

  /** Index a document, auto-creating the index (as `action.auto_create_index` does by default). */
  write(index: string, id: string | undefined, source: Record<string, unknown>, opts: WriteOptions = {}): WriteResult {
    const data = this.indices.get(index) ?? this.createIndex(index);
    const docId = id ?? randomBytes(15).toString('base64url');
    const existing = data.docs.get(docId);
    if (opts.ifSeqNo !== undefined || opts.ifPrimaryTerm !== undefined) {
      if (!existing) {
        throw versionConflict(index, docId, `required seqNo [${opts.ifSeqNo}], primary term [${opts.ifPrimaryTerm}] but no document was found`);
      }
      if (existing.seqNo !== opts.ifSeqNo || existing.primaryTerm !== opts.ifPrimaryTerm) {
        throw versionConflict(
          index,
          docId,
          `required seqNo [${opts.ifSeqNo}], primary term [${opts.ifPrimaryTerm}]. current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]`,
        );
      }
    }
    if (opts.opType === 'create' && existing) {
      throw versionConflict(index, docId, `document already exists (current version [${existing.version}])`);
    }
    checkMappings(data.mappings, source, '', docId);
    inferMappings(data.mappings, source, '');
    const doc: StoredDoc = { id: docId, source, seqNo: data.nextSeqNo++, primaryTerm: 1, version: (existing?.version ?? 0) + 1 };
    data.docs.set(docId, doc);
    return { doc, result: existing ? 'updated' : 'created' };
  }

  delete(index: string, id: string): { doc?: StoredDoc; seqNo: number } {
    const data = this.get(index);
    const doc = data.docs.get(id);
    data.docs.delete(id);
    return { doc, seqNo: data.nextSeqNo++ };
  }
}

function validateIndexName(name: string): void {
  if (name !== name.toLowerCase() || /[\\/*?"<>| ,#]/.test(name) || name.startsWith('_') || name.startsWith('-') || name.startsWith('+')) {
    throw httpError(400, 'invalid_index_name_exception', `Invalid index name [${name}], must be lowercase and must not contain special characters`, { index: name });
  }
}

function addExplicitMappings(out: Map<string, FieldType>, properties: Record<string, unknown>, prefix: string): void {
  for (const [field, def] of Object.entries(properties)) {
    const path = prefix + field;
    const d = (def ?? {}) as { type?: string; properties?: Record<string, unknown> };
    if (d.properties) {
      out.set(path, 'object');
      addExplicitMappings(out, d.properties, path + '.');
      continue;
    }
    out.set(path, normaliseType(d.type ?? 'object'));
  }
}

function normaliseType(type: string): FieldType {
  switch (type) {
    case 'keyword':
    case 'constant_keyword':
    case 'wildcard':
    case 'ip':
      return 'keyword';
    case 'text':
    case 'match_only_text':
      return 'text';
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
      return 'long';
    case 'double':
    case 'float':
    case 'half_float':
    case 'scaled_float':
      return 'double';
    case 'date':
    case 'date_nanos':
      return 'date';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

/** Dynamic mapping: numbers → long/double, ISO strings → date, other strings → text with a `.keyword`. */
function inferMappings(out: Map<string, FieldType>, source: Record<string, unknown>, prefix: string): void {
  for (const [field, raw] of Object.entries(source)) {
    const path = prefix + field;
    const value = Array.isArray(raw) ? raw.find((v) => v !== null) : raw;
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') {
      if (!out.has(path)) out.set(path, 'object');
      inferMappings(out, value as Record<string, unknown>, path + '.');
      continue;
    }
    if (out.has(path)) continue;
    if (typeof value === 'number') out.set(path, Number.isInteger(value) ? 'long' : 'double');
    else if (typeof value === 'boolean') out.set(path, 'boolean');
    else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && parseAbsolute(value) !== undefined) out.set(path, 'date');
    else out.set(path, 'text');
  }
}

/** Rejects values that do not fit an existing mapping, as the mapper does (the whole write fails). */
function checkMappings(mappings: Map<string, FieldType>, source: Record<string, unknown>, prefix: string, id: string): void {
  for (const [field, raw] of Object.entries(source)) {
    const path = prefix + field;
    const type = mappings.get(path);
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (value === null || value === undefined) continue;
      const isObject = typeof value === 'object';
      if (type === 'object' && !isObject) {
        throw httpError(400, 'mapper_parsing_exception', `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`);
      }
      if (type !== undefined && type !== 'object' && (isObject || !fits(type, value))) {
        throw httpError(400, 'mapper_parsing_exception', `failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${JSON.stringify(value).slice(0, 50)}'`);
      }
      if (isObject) checkMappings(mappings, value as Record<string, unknown>, path + '.', id);
    }
  }
}

function fits(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'long':
    case 'double':
      return Number.isFinite(Number(value)) && typeof value !== 'boolean';
    case 'date':
      return typeof value === 'number' || (typeof value === 'string' && parseAbsolute(value) !== undefined);
    case 'boolean':
      return value === true || value === false || value === 'true' || value === 'false';
    default:
      return true;
  }
}
