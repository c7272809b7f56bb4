/**
 * `_source` filtering as searches and GETs apply it: `true`/`false`, a pattern or list of patterns, or
 * `{includes, excludes}`; patterns use `*` and match dotted paths, an included object keeps its
 * subtree, and excludes win.
 */
import { wildcardRegex } from './wildcards.ts';

export function filterSource(source: Record<string, unknown>, spec: unknown): Record<string, unknown> | undefined {
  if (spec === undefined || spec === true) return source;
  if (spec === false) return undefined;
  let includes: string[] = [];
  let excludes: string[] = [];
  if (typeof spec === 'string') includes = [spec];
  else if (Array.isArray(spec)) includes = spec as string[];
  else if (typeof spec === 'object' && spec !== null) {
    const o = spec as { includes?: string | string[]; excludes?: string | string[] };
    includes = o.includes === undefined ? [] : ([] as string[]).concat(o.includes);
    excludes = o.excludes === undefined ? [] : ([] as string[]).concat(o.excludes);
  }
  const inc = includes.map(wildcardRegex);
  const exc = excludes.map(wildcardRegex);
  const walk = (obj: Record<string, unknown>, prefix: string, parentIncluded: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix + k;
      if (exc.some((r) => r.test(path))) continue;
      const included = parentIncluded || inc.length === 0 || inc.some((r) => r.test(path));
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const child = walk(v as Record<string, unknown>, path + '.', included);
        if (Object.keys(child).length > 0 || (included && Object.keys(v).length === 0)) out[k] = child;
      } else if (included) out[k] = v;
    }
    return out;
  };
  return walk(source, '', false);
}

/** The `_source` filter of a GET-style request: `_source` (true/false/list) with `_source_includes`/`_source_excludes`. */
export function sourceSpecFromQuery(q: URLSearchParams): unknown {
  const src = q.get('_source');
  const includes = q.get('_source_includes') ?? q.get('_source_include');
  const excludes = q.get('_source_excludes') ?? q.get('_source_exclude');
  if (src === 'false') return false;
  if (includes !== null || excludes !== null) {
    return { includes: includes?.split(',') ?? (src && src !== 'true' ? src.split(',') : []), excludes: excludes?.split(',') ?? [] };
  }
  if (src !== null && src !== 'true') return src.split(',');
  return undefined;
}
