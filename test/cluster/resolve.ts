/**
 * Index expressions (`a,b*,-b2`, `_all`, aliases) resolved to concrete indices the way the real
 * resolver does it: wildcards match index and alias names, hidden indices (`index.hidden`) and hidden
 * aliases only with `expand_wildcards` `hidden`/`all` (or a dot pattern for dot-prefixed names), an
 * explicit missing name is a 404 unless `ignore_unavailable`, and a wildcard matching nothing is one
 * only with `allow_no_indices=false`.
 */
import type { IndexData, Store } from './store.ts';
import { indexNotFound } from './errors.ts';
import { wildcardRegex } from './wildcards.ts';

export interface IndicesOptions {
  allowNoIndices: boolean;
  ignoreUnavailable: boolean;
  expandWildcards: string[];
}

export function indicesOptionsFrom(q: URLSearchParams, defaults: Partial<IndicesOptions> = {}): IndicesOptions {
  return {
    allowNoIndices: q.has('allow_no_indices') ? q.get('allow_no_indices') !== 'false' : (defaults.allowNoIndices ?? true),
    ignoreUnavailable: q.has('ignore_unavailable') ? q.get('ignore_unavailable') === 'true' : (defaults.ignoreUnavailable ?? false),
    expandWildcards: q.get('expand_wildcards')?.split(',') ?? defaults.expandWildcards ?? ['open'],
  };
}

function visible(name: string, hidden: boolean, pattern: string, expandHidden: boolean): boolean {
  if (expandHidden) return true;
  // Dot-prefixed names (system-like) and hidden ones are reached by a pattern that starts with a dot, or not at all.
  if (name.startsWith('.')) return pattern.startsWith('.');
  return !hidden;
}

/** Resolves an index expression to concrete indices, sorted by name. */
export function resolveIndices(store: Store, expr: string | undefined, opts: IndicesOptions): IndexData[] {
  const parts = !expr || expr === '_all' ? ['*'] : expr.split(',').filter(Boolean);
  const names = new Set<string>();
  const expandHidden = opts.expandWildcards.includes('all') || opts.expandWildcards.includes('hidden');
  const expandNone = opts.expandWildcards.includes('none') || (!opts.expandWildcards.includes('open') && !opts.expandWildcards.includes('all'));
  let anyWildcard = false;
  for (const part of parts) {
    if (part.startsWith('-') && names.size > 0) {
      const re = wildcardRegex(part.slice(1));
      for (const n of [...names]) if (re.test(n)) names.delete(n);
      continue;
    }
    if (part.includes('*')) {
      anyWildcard = true;
      if (expandNone) continue;
      const re = wildcardRegex(part);
      for (const index of store.indices.values()) {
        if (re.test(index.name) && visible(index.name, index.hidden, part, expandHidden)) names.add(index.name);
        for (const [alias, spec] of index.aliases) if (re.test(alias) && visible(alias, spec.is_hidden === true, part, expandHidden)) names.add(index.name);
      }
      continue;
    }
    if (store.indices.has(part)) names.add(part);
    else {
      const aliased = store.aliasIndices(part);
      if (aliased.length > 0) for (const i of aliased) names.add(i.name);
      else if (!opts.ignoreUnavailable) throw indexNotFound(part);
    }
  }
  if (names.size === 0 && anyWildcard && !opts.allowNoIndices) throw indexNotFound(expr ?? '_all');
  return [...names].sort().map((n) => store.get(n));
}
