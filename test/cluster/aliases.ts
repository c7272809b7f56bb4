/**
 * Aliases: `POST /_aliases` (add, remove and remove_index actions, applied all or none), `PUT|DELETE
 * /{index}/_alias/{name}`, `GET /_alias/{name}` and `GET /{index}/_alias`, with the real rules for
 * write indices (`is_write_index`: at most one per alias) and names (an alias may not shadow an index).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { AliasSpec, IndexData, Store } from './store.ts';
import { httpError, illegalArgument, parsingError, validationError } from './errors.ts';
import { resolveIndices, indicesOptionsFrom } from './resolve.ts';
import { wildcardRegex } from './wildcards.ts';

type Json = Record<string, unknown>;

const SPEC_KEYS = ['is_write_index', 'is_hidden', 'filter', 'routing', 'index_routing', 'search_routing'] as const;

function specOf(o: Json): AliasSpec {
  const spec: AliasSpec = {};
  for (const k of SPEC_KEYS) if (o[k] !== undefined) (spec as Json)[k] = o[k];
  return spec;
}

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Applies alias changes to copies, checks the result, then commits every index's aliases at once. */
function apply(store: Store, changes: Array<(draft: Map<IndexData, Map<string, AliasSpec>>) => void>): void {
  const draft = new Map([...store.indices.values()].map((i) => [i, new Map(i.aliases)]));
  for (const c of changes) c(draft);
  const writers = new Map<string, string[]>();
  for (const [index, aliases] of draft) {
    for (const [alias, spec] of aliases) {
      if (store.indices.has(alias)) throw httpError(400, 'invalid_alias_name_exception', `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`);
      if (spec.is_write_index === true) writers.set(alias, [...(writers.get(alias) ?? []), index.name]);
    }
  }
  for (const [alias, indices] of writers) if (indices.length > 1) throw illegalArgument(`alias [${alias}] has more than one write index [${indices.join(',')}]`);
  for (const [index, aliases] of draft) {
    const same = aliases.size === index.aliases.size && [...aliases].every(([k, v]) => JSON.stringify(index.aliases.get(k)) === JSON.stringify(v));
    if (!same) store.setAliases(index, aliases);
  }
}

function targets(store: Store, o: Json): IndexData[] {
  const names = [...list(o.index), ...list(o.indices)];
  if (names.length === 0) throw validationError('One of [index] or [indices] is required');
  return resolveIndices(store, names.join(','), { allowNoIndices: true, ignoreUnavailable: false, expandWildcards: ['open'] });
}

export function updateAliases(store: Store, body: Json): estypes.IndicesUpdateAliasesResponse {
  if (!Array.isArray(body.actions)) throw validationError('No action specified');
  const changes = body.actions.map((a) => {
    const [type, spec] = Object.entries((a ?? {}) as Json)[0] ?? [];
    const o = (spec ?? {}) as Json;
    const indices = targets(store, o);
    const aliases = [...list(o.alias), ...list(o.aliases)];
    if (type === 'add') {
      if (aliases.length === 0) throw validationError('One of [alias] or [aliases] is required');
      return (d: Map<IndexData, Map<string, AliasSpec>>) => {
        for (const i of indices) for (const al of aliases) d.get(i)!.set(al, specOf(o));
      };
    }
    if (type === 'remove') {
      if (aliases.length === 0) throw validationError('One of [alias] or [aliases] is required');
      return (d: Map<IndexData, Map<string, AliasSpec>>) => {
        let removed = 0;
        for (const i of indices) for (const al of aliases) for (const k of [...d.get(i)!.keys()]) if (wildcardRegex(al).test(k) && d.get(i)!.delete(k)) removed++;
        if (removed === 0 && o.must_exist !== false) throw httpError(404, 'aliases_not_found_exception', `aliases [${aliases.join(',')}] missing`, { 'resource.type': 'aliases', 'resource.id': aliases.join(',') });
      };
    }
    if (type === 'remove_index') return () => indices.forEach((i) => store.deleteIndex(i.name));
    throw parsingError(`[aliases] unknown field [${type}]`);
  });
  apply(store, changes);
  return { acknowledged: true };
}

export function putAlias(store: Store, indexExpr: string, alias: string, body: Json): estypes.IndicesPutAliasResponse {
  return updateAliases(store, { actions: [{ add: { index: indexExpr, alias, ...body } }] });
}

export function deleteAlias(store: Store, indexExpr: string, alias: string): estypes.IndicesDeleteAliasResponse {
  return updateAliases(store, { actions: [{ remove: { index: indexExpr, alias } }] });
}

/** `GET /_alias/{name}`, `GET /{index}/_alias[/{name}]`: a name matching nothing is a 404 with the real plain-string error. */
export function getAliases(store: Store, indexExpr: string | undefined, names: string | undefined, q: URLSearchParams): { status: number; body: unknown } {
  const indices = resolveIndices(store, indexExpr, indicesOptionsFrom(q, { expandWildcards: ['all'] }));
  const patterns = names?.split(',').map(wildcardRegex);
  const out: Record<string, { aliases: Record<string, AliasSpec> }> = {};
  const seen = new Set<string>();
  for (const i of indices) {
    const matching = [...i.aliases].filter(([a]) => !patterns || patterns.some((p) => p.test(a)));
    matching.forEach(([a]) => seen.add(a));
    if (matching.length > 0 || !patterns) out[i.name] = { aliases: Object.fromEntries(matching) };
  }
  const missing = names?.split(',').filter((n) => !n.includes('*') && !seen.has(n)) ?? [];
  if (missing.length > 0) {
    const body = { error: `alias [${missing.join(',')}] missing`, status: 404, ...out };
    return { status: 404, body };
  }
  return { status: 200, body: out };
}
