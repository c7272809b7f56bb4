/**
 * Indices a search body reads besides the ones it searches: the query DSL can fetch documents of any
 * index while it runs (a terms lookup, more_like_this's `like` documents, a pre-indexed shape, a
 * percolated document, pinned documents), and so can a `lookup` runtime field defined in the request
 * (Elasticsearch: it fetches fields of its `target_index`). A search of an allowed index could otherwise read, through
 * its query, an index the watch's roles do not allow, so these are checked like the searched ones.
 *
 * A stored or inline search template (`request.template`) is rendered by the cluster and cannot be read
 * here; a cluster that impersonates the watch's user (`clusters.<name>.impersonate`) checks those itself.
 */

/** Where in a body a query construct names an index to read a document from. */
export interface QueryIndex {
  /** JSON path of the name in the body, e.g. `query.bool.filter[0].terms.user.index`. */
  path: string;
  index: string;
}

type Node = { value: unknown; path: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** The documents of `more_like_this.like`/`unlike` and `pinned.docs` that name their own index. */
function documentIndices(value: unknown, path: string, out: QueryIndex[]): void {
  asList(value).forEach((item, i) => {
    if (isObject(item) && typeof item._index === 'string') out.push({ path: `${path}${Array.isArray(value) ? `[${i}]` : ''}._index`, index: item._index });
  });
}

/** What one object of the body reads, by the key it sits under. */
function readsOf(key: string, value: unknown, path: string, out: QueryIndex[]): void {
  if (!isObject(value)) return;
  switch (key) {
    case 'terms':
      // A terms lookup: `{"terms": {"<field>": {"index": …, "id": …, "path": …}}}`.
      for (const [field, v] of Object.entries(value)) {
        if (isObject(v) && typeof v.index === 'string' && ('id' in v || 'path' in v)) out.push({ path: `${path}.${field}.index`, index: v.index });
      }
      return;
    case 'more_like_this':
    case 'mlt':
      for (const k of ['like', 'unlike']) if (k in value) documentIndices(value[k], `${path}.${k}`, out);
      return;
    case 'pinned':
      if ('docs' in value) documentIndices(value.docs, `${path}.docs`, out);
      return;
    case 'runtime_mappings':
      // `{"runtime_mappings": {"<field>": {"type": "lookup", "target_index": …, …}}}`.
      for (const [field, v] of Object.entries(value)) {
        if (isObject(v) && v.type === 'lookup' && typeof v.target_index === 'string') out.push({ path: `${path}.${field}.target_index`, index: v.target_index });
      }
      return;
    case 'indexed_shape':
    case 'percolate':
      if (typeof value.index === 'string') out.push({ path: `${path}.index`, index: value.index });
      return;
  }
}

/** Every index the body's query constructs read documents from, with where each is named. */
export function queryIndices(body: unknown): QueryIndex[] {
  const out: QueryIndex[] = [];
  // Iterative: a rendered body may nest deeper than the call stack allows.
  const stack: Node[] = [{ value: body, path: '' }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]` }));
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const at = path ? `${path}.${k}` : k;
        readsOf(k, v, at, out);
        stack.push({ value: v, path: at });
      }
    }
  }
  return out;
}
