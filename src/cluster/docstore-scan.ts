/**
 * Paging over every match of a query: a point in time keeps the view consistent while paging (in each
 * product's own API: Elasticsearch `/_pit`, OpenSearch `/_search/point_in_time`) and `search_after`
 * moves from page to page, so no deep `from` and no scroll context per page.
 */
import type { Distribution } from './types.ts';
import type { Doc, SearchHits } from './docstore-types.ts';
import type { RawRequest, RawResponse } from './docstore-transport.ts';

export interface ScanInput<T> {
  distribution(): Promise<Distribution>;
  request(req: RawRequest): Promise<RawResponse>;
  hits(body: unknown): SearchHits<T>;
  index: string;
  query: Record<string, unknown>;
  /** Must end in a field unique per document, so that `search_after` never skips or repeats one. */
  sort: unknown[];
  pageSize: number;
}

const KEEP_ALIVE = '1m';

export async function* scanPages<T>(s: ScanInput<T>): AsyncIterable<Doc<T>> {
  const os = (await s.distribution()) === 'opensearch';
  const path = `/${encodeURIComponent(s.index)}/${os ? '_search/point_in_time' : '_pit'}`;
  const opened = await s.request({ method: 'POST', path, querystring: { keep_alive: KEEP_ALIVE, expand_wildcards: 'all', ignore_unavailable: 'true' } });
  const pitId = (opened.body as { id?: string; pit_id?: string })[os ? 'pit_id' : 'id']!;
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const body = { query: s.query, sort: s.sort, size: s.pageSize, pit: { id: pitId, keep_alive: KEEP_ALIVE }, track_total_hits: false, ...(after ? { search_after: after } : {}) };
      const page = s.hits((await s.request({ method: 'POST', path: '/_search', body })).body);
      for (const hit of page.hits) yield hit;
      if (page.hits.length < s.pageSize) return;
      after = page.hits[page.hits.length - 1]!.sort;
    }
  } finally {
    // A point in time left open holds segments until it expires; closing is best effort.
    const close: RawRequest = os
      ? { method: 'DELETE', path: '/_search/point_in_time', body: { pit_id: [pitId] } }
      : { method: 'DELETE', path: '/_pit', body: { id: pitId } };
    await s.request(close).catch(() => {});
  }
}
