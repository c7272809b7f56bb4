/** What the cache reads of a request (server.ts's RecordedRequest has it). */
interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

/**
 * The shard request cache of Elasticsearch and OpenSearch, as far as a benchmark needs it: the answers to
 * `size: 0` searches (totals, aggregations) are kept by request and served again until a request that may
 * change data arrives (anything but GET/HEAD and `_search`/`_count`), which empties the cache. Requests
 * using `now` (date math) are never cached, as there. Off unless asked for (`requestCache`,
 * `--request-cache`): tests see every search evaluated. Why: under a benchmark's thousand searches a
 * second, the test cluster's own pauses were where the daemon's worst trigger lags came from (the
 * figures are in bench/README.md).
 */
export class RequestCache<T extends { status: number; body: unknown } = { status: number; body: unknown }> {
  readonly #entries = new Map<string, T>();

  /** Forgets every answer (a refresh changed what searches find). */
  clear(): void {
    this.#entries.clear();
  }

  readonly #max: number;

  constructor(max = 1000) {
    this.#max = max;
  }

  /**
   * Answers `r`: from the cache when it is a cacheable search answered before, else with `evaluate()`
   * (keeping a successful answer to a cacheable search). A request that may change data empties it first.
   */
  answer(r: RecordedRequest, evaluate: () => T): T {
    const read = r.method === 'GET' || r.method === 'HEAD' || /\/_(search|count)$/.test(r.path);
    if (!read) this.#entries.clear();
    const key = keyOf(r);
    const hit = key === null ? undefined : this.#entries.get(key);
    if (hit) return hit;
    const res = evaluate();
    if (key !== null && res.status === 200) {
      if (this.#entries.size >= this.#max) this.#entries.clear();
      this.#entries.set(key, res);
    }
    return res;
  }
}

function keyOf(r: RecordedRequest): string | null {
  if ((r.method !== 'GET' && r.method !== 'POST') || !r.path.endsWith('/_search') || r.body.includes('now')) return null;
  let size: unknown;
  try {
    size = (JSON.parse(r.body) as { size?: unknown }).size;
  } catch {
    return null;
  }
  return size === 0 ? `${r.path}?${r.query.toString()}\u0000${r.body}` : null;
}
