/**
 * Search sorting and `search_after`: sort clauses as the real parser reads them, the values hits
 * report in `sort` (epoch millis for dates, 1/0 for booleans, the smallest value of a multi-valued field
 * ascending and the largest descending), the tie-breakers `_doc` and, under a point in time,
 * `_shard_doc`, and the checks a real node makes (a field mapped nowhere, `_id` on Elasticsearch).
 */
import type { IndexData, StoredDoc } from './store.ts';
import { ClusterHttpError, errorBody, parsingError, searchPhaseError, validationError } from './errors.ts';
import { compare, fieldValues, resolveField } from './fields.ts';
import { parseDate } from './datemath.ts';

export type SortValue = string | number | null;

export interface SortKey {
  field: string;
  desc: boolean;
  missingFirst: boolean;
  unmappedType?: string;
}

/** A document in the view a search reads, with the ordinal of its shard (its index's position in the request). */
export interface ViewDoc {
  index: IndexData;
  doc: StoredDoc;
  shard: number;
}

export function parseSort(sort: unknown): SortKey[] {
  if (sort === undefined) return [];
  const list = Array.isArray(sort) ? sort : typeof sort === 'string' ? sort.split(',') : [sort];
  return list.map((s): SortKey => {
    if (typeof s === 'string') {
      const [field, dir] = s.split(':');
      return { field: field!, desc: dir === 'desc' || (field === '_score' && dir === undefined), missingFirst: false };
    }
    if (typeof s !== 'object' || s === null) throw parsingError('[sort] malformed');
    const [field, spec] = Object.entries(s)[0] ?? [];
    if (!field) throw parsingError('[sort] malformed');
    const o = typeof spec === 'object' && spec !== null ? (spec as { order?: string; missing?: unknown; unmapped_type?: string }) : { order: spec as string };
    return { field, desc: o.order === 'desc' || (field === '_score' && o.order === undefined), missingFirst: o.missing === '_first', unmappedType: o.unmapped_type };
  });
}

/** Rejects sorts a real node rejects for these indices, before any document is read. */
export function checkSort(keys: SortKey[], indices: IndexData[], opts: { pit: boolean; distribution: 'elasticsearch' | 'opensearch' }): void {
  const es = opts.distribution === 'elasticsearch';
  for (const k of keys) {
    if (k.field === '_shard_doc' && es) {
      if (!opts.pit) throw validationError('[_shard_doc] sort field cannot be used without [point in time]');
      continue;
    }
    if (k.field === '_score' || k.field === '_doc') continue;
    if (k.field === '_id') {
      if (es) throw searchPhaseError({ type: 'illegal_argument_exception', reason: 'Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled' });
      continue;
    }
    if (k.unmappedType === undefined && indices.length > 0 && indices.every((i) => resolveField(i, k.field).type === undefined)) {
      throw searchPhaseError({ type: 'query_shard_exception', reason: `No mapping found for [${k.field}] in order to sort on`, index: indices[0]!.name });
    }
  }
}

/** The value a hit reports for one sort clause. */
export function sortValue(h: ViewDoc, k: SortKey, now: number): SortValue {
  switch (k.field) {
    case '_score':
      return 1;
    case '_doc':
      return h.doc.seqNo;
    case '_shard_doc':
      // The shard's ordinal in the high 32 bits, the document's in the low ones, as the real tiebreaker encodes them.
      return h.shard * 2 ** 32 + h.doc.seqNo;
    case '_id':
      return h.doc.id;
  }
  const values = fieldValues(h.index, h.doc.source, k.field, now).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  if (values.length === 0) return null;
  return values.reduce((a, b) => ((k.desc ? compare(b, a) > 0 : compare(b, a) < 0) ? b : a));
}

/** Orders two sort tuples; a missing value (null) goes last unless the clause asks for `_first`. */
export function compareTuples(a: SortValue[], b: SortValue[], keys: SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const va = a[i] ?? null;
    const vb = b[i] ?? null;
    if (va === null || vb === null) {
      if (va === vb) continue;
      return (va === null) !== k.missingFirst ? 1 : -1;
    }
    const c = compare(va, vb);
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

/** `search_after` values converted to the sort's value space (a date may be given as a date string). */
export function parseSearchAfter(after: unknown, keys: SortKey[], indices: IndexData[], now: number): SortValue[] {
  if (!Array.isArray(after)) throw parsingError('[search_after] must be an array');
  if (keys.length === 0) throw searchPhaseError({ type: 'illegal_argument_exception', reason: 'Sort must contain at least one field.' });
  if (after.length !== keys.length) {
    throw searchPhaseError({ type: 'illegal_argument_exception', reason: `search_after has ${after.length} value(s) but sort has ${keys.length}.` });
  }
  return after.map((v, i) => {
    if (v === null) return null;
    const type = indices.map((ix) => resolveField(ix, keys[i]!.field).type).find((t) => t !== undefined);
    if (type === 'date' && typeof v === 'string') return parseDate(v, now);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'object') throw new ClusterHttpError(400, errorBody(400, { type: 'illegal_argument_exception', reason: `Can't handle search_after field value of type [${typeof v}]` }));
    return v as string | number;
  });
}
