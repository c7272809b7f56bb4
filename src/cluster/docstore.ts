/**
 * The document store over the official clients (see docstore-types.ts for the contract). The product
 * and major are detected on first use (`GET /`, as searches do) and pick the client; a failed detection
 * is not kept, so a cluster that is down at start is picked up by a later call.
 */
import type { Logger } from '../log.ts';
import { VigilError } from '../errors.ts';
import type { ClusterConfig, ClusterInfo } from './types.ts';
import { resolveConnection, type ResolvedConnection } from './connection.ts';
import { detectCluster } from './detect.ts';
import { clusterErrorFromResponse, type ErrorContext } from './errors.ts';
import { openTransport, type RawRequest, type RawResponse, type RawTransport } from './docstore-transport.ts';
import { bulkBody, bulkItems, mgetError, toDoc } from './docstore-bulk.ts';
import { scanPages } from './docstore-scan.ts';
import type { BulkItem, BulkOp, Cas, Doc, DocStoreClient, IndexListing, IndexSpec, SearchHits, SearchScope, WriteResult } from './docstore-types.ts';

const enc = encodeURIComponent;

const BULK_FILTER = ['status', 'result', '_seq_no', '_primary_term', 'error'].map((f) => `items.*.${f}`).join(',');

function casQuery(cas: Cas | undefined): Record<string, string> {
  return cas ? { if_seq_no: String(cas.ifSeqNo), if_primary_term: String(cas.ifPrimaryTerm) } : {};
}

function scopeQuery(scope: SearchScope | undefined): Record<string, string> {
  return {
    expand_wildcards: scope?.hidden === false ? 'open' : 'all',
    ...(scope?.lenient === false ? {} : { ignore_unavailable: 'true', allow_no_indices: 'true' }),
  };
}

function writeResult(body: unknown): WriteResult {
  const b = body as { _index: string; _id: string; result: string; _seq_no?: number; _primary_term?: number };
  return { index: b._index, id: b._id, result: b.result, seqNo: b._seq_no ?? -1, primaryTerm: b._primary_term ?? 0 };
}

class ClusterDocStore implements DocStoreClient {
  readonly name: string;
  readonly #conn: ResolvedConnection;
  readonly #config: ClusterConfig;
  readonly #logger: Logger;
  readonly #ctx: ErrorContext;
  #info: Promise<ClusterInfo> | undefined;
  #transport: Promise<RawTransport> | undefined;
  #closed = false;

  constructor(config: ClusterConfig, logger: Logger) {
    this.name = config.name;
    this.#config = config;
    this.#conn = resolveConnection(config);
    this.#ctx = { cluster: config.name, secrets: this.#conn.secrets };
    this.#logger = logger.child({ cluster: config.name });
  }

  info(): Promise<ClusterInfo> {
    if (!this.#info) {
      const p = detectCluster(this.#conn);
      this.#info = p;
      p.catch(() => {
        if (this.#info === p) this.#info = undefined;
      });
    }
    return this.#info;
  }

  #raw(): Promise<RawTransport> {
    if (this.#closed) return Promise.reject(new VigilError('INTERNAL', `cluster [${this.name}] document store is closed`));
    if (!this.#transport) {
      const p = (async () => {
        const forced = this.#config.distribution;
        const info = forced ? undefined : await this.info();
        const distribution = forced ?? info!.distribution;
        this.#logger.debug({ distribution, version: info?.version }, 'document store client created');
        return openTransport(this.#conn, distribution, info?.major);
      })();
      this.#transport = p;
      p.catch(() => {
        if (this.#transport === p) this.#transport = undefined;
      });
    }
    return this.#transport;
  }

  async #request(req: RawRequest, accept?: number[]): Promise<RawResponse> {
    return (await this.#raw()).request(req, accept);
  }

  async get<T>(index: string, id: string): Promise<Doc<T> | undefined> {
    const res = await this.#request({ method: 'GET', path: `/${enc(index)}/_doc/${enc(id)}` }, [404]);
    return res.status === 404 ? undefined : toDoc<T>(res.body as never);
  }

  async mget<T>(refs: Array<{ index: string; id: string }>): Promise<Array<Doc<T> | undefined>> {
    if (refs.length === 0) return [];
    const res = await this.#request({ method: 'POST', path: '/_mget', body: { docs: refs.map((r) => ({ _index: r.index, _id: r.id })) } });
    const docs = (res.body as { docs: Array<Record<string, unknown>> }).docs;
    return refs.map((_, i) => {
      const raw = docs[i] as never;
      const err = mgetError(this.#ctx, raw);
      if (err) throw err;
      return toDoc<T>(raw);
    });
  }

  async write(op: Extract<BulkOp, { op: 'index' | 'create' }>, opts: { refresh?: boolean } = {}): Promise<WriteResult> {
    const qs = { ...casQuery(op.cas), ...(op.op === 'create' ? { op_type: 'create' } : {}), ...(opts.refresh ? { refresh: 'true' } : {}) };
    const path = op.id === undefined ? `/${enc(op.index)}/_doc` : `/${enc(op.index)}/_doc/${enc(op.id)}`;
    const res = await this.#request({ method: op.id === undefined ? 'POST' : 'PUT', path, querystring: qs, body: op.document });
    return writeResult(res.body);
  }

  async update(op: Extract<BulkOp, { op: 'update' }>): Promise<WriteResult> {
    const body = { doc: op.doc, ...(op.upsert ? { upsert: op.upsert } : {}) };
    const res = await this.#request({ method: 'POST', path: `/${enc(op.index)}/_update/${enc(op.id)}`, querystring: casQuery(op.cas), body });
    return writeResult(res.body);
  }

  async delete(index: string, id: string, cas?: Cas): Promise<boolean> {
    const res = await this.#request({ method: 'DELETE', path: `/${enc(index)}/_doc/${enc(id)}`, querystring: casQuery(cas) }, [404]);
    if (res.status === 404 && (res.body as { error?: unknown }).error) return false;
    return res.status !== 404;
  }

  async bulk(ops: BulkOp[], opts: { refresh?: boolean } = {}): Promise<BulkItem[]> {
    if (ops.length === 0) return [];
    // Only what the items are read for: the answer is parsed on the write path, 100 times a second under load.
    const querystring: Record<string, string> = { filter_path: BULK_FILTER, ...(opts.refresh ? { refresh: 'true' } : {}) };
    const res = await this.#request({ method: 'POST', path: '/_bulk', querystring, bulkBody: bulkBody(ops) });
    return bulkItems(this.#ctx, ops, res.body);
  }

  async search<T>(index: string, body: Record<string, unknown>, scope?: SearchScope): Promise<SearchHits<T>> {
    const res = await this.#request({ method: 'POST', path: `/${enc(index)}/_search`, querystring: scopeQuery(scope), body });
    return this.#hits<T>(res.body);
  }

  #hits<T>(body: unknown): SearchHits<T> {
    const hits = (body as { hits?: { total?: { value: number } | number; hits?: unknown[] } }).hits;
    const total = typeof hits?.total === 'number' ? hits.total : (hits?.total?.value ?? 0);
    return { total, hits: (hits?.hits ?? []).map((h) => toDoc<T>(h as never)!).filter(Boolean) };
  }

  scan<T>(index: string, query: Record<string, unknown>, sort: unknown[], pageSize = 500): AsyncIterable<Doc<T>> {
    return scanPages<T>({
      distribution: async () => (await this.#raw()).distribution,
      request: (req) => this.#request(req),
      hits: (body) => this.#hits<T>(body),
      index,
      query,
      sort,
      pageSize,
    });
  }

  async count(index: string, query?: Record<string, unknown>, scope?: SearchScope): Promise<number> {
    const res = await this.#request({ method: 'POST', path: `/${enc(index)}/_count`, querystring: scopeQuery(scope), body: query ? { query } : {} });
    return (res.body as { count: number }).count;
  }

  async refresh(index: string): Promise<void> {
    await this.#request({ method: 'POST', path: `/${enc(index)}/_refresh`, querystring: scopeQuery(undefined) });
  }

  async deleteByQuery(index: string, query: Record<string, unknown>, maxDocs?: number): Promise<number> {
    const body = { query, ...(maxDocs !== undefined && Number.isFinite(maxDocs) ? { max_docs: maxDocs } : {}) };
    const res = await this.#request({ method: 'POST', path: `/${enc(index)}/_delete_by_query`, querystring: { ...scopeQuery(undefined), conflicts: 'proceed' }, body });
    return (res.body as { deleted?: number }).deleted ?? 0;
  }

  async updateByQuery(index: string, query: Record<string, unknown>): Promise<number> {
    const res = await this.#request({ method: 'POST', path: `/${enc(index)}/_update_by_query`, querystring: { ...scopeQuery(undefined), conflicts: 'proceed' }, body: { query } });
    return (res.body as { updated?: number }).updated ?? 0;
  }

  async createIndex(name: string, spec: IndexSpec): Promise<boolean> {
    const res = await this.#request({ method: 'PUT', path: `/${enc(name)}`, body: spec as Record<string, unknown> }, [400]);
    if (res.status === 400) {
      const type = (res.body as { error?: { type?: string } }).error?.type;
      // Another daemon (or an earlier start) made it: not an error.
      if (type === 'resource_already_exists_exception') return false;
      throw clusterErrorFromResponse(this.#ctx, 400, res.body);
    }
    return true;
  }

  async getMapping(name: string): Promise<Record<string, Record<string, unknown>>> {
    const res = await this.#request({ method: 'GET', path: `/${enc(name)}/_mapping`, querystring: { expand_wildcards: 'all' } });
    const out: Record<string, Record<string, unknown>> = {};
    for (const [index, v] of Object.entries(res.body as Record<string, { mappings?: Record<string, unknown> }>)) out[index] = v.mappings ?? {};
    return out;
  }

  async putMapping(name: string, mapping: Record<string, unknown>): Promise<void> {
    await this.#request({ method: 'PUT', path: `/${enc(name)}/_mapping`, querystring: { expand_wildcards: 'all' }, body: mapping });
  }

  async deleteIndex(name: string): Promise<void> {
    await this.#request({ method: 'DELETE', path: `/${enc(name)}` }, [404]);
  }

  async listIndices(pattern: string): Promise<IndexListing[]> {
    const res = await this.#request({ method: 'GET', path: `/_cat/indices/${enc(pattern)}`, querystring: { format: 'json', expand_wildcards: 'all', h: 'index,docs.count' } }, [404]);
    if (res.status === 404) return [];
    return (res.body as Array<{ index: string; 'docs.count'?: string | null }>)
      .map((r) => ({ index: r.index, docsCount: Number(r['docs.count'] ?? 0) || 0 }))
      .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  }

  async putIndexTemplate(name: string, body: Record<string, unknown>): Promise<void> {
    await this.#request({ method: 'PUT', path: `/_index_template/${enc(name)}`, body });
  }

  async getIndexTemplate(name: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.#request({ method: 'GET', path: `/_index_template/${enc(name)}` }, [404]);
    if (res.status === 404) return undefined;
    const found = (res.body as { index_templates?: Array<{ name: string; index_template: Record<string, unknown> }> }).index_templates ?? [];
    return found.find((t) => t.name === name)?.index_template;
  }

  async deleteIndexTemplate(name: string): Promise<void> {
    await this.#request({ method: 'DELETE', path: `/_index_template/${enc(name)}` }, [404]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const t = this.#transport;
    this.#transport = undefined;
    if (t) await t.then((x) => x.close(), () => {});
  }
}

/** A document store for one configured cluster. Throws VigilError CONFIG_INVALID for unusable URLs. */
export function createDocStore(config: ClusterConfig, logger: Logger): DocStoreClient {
  return new ClusterDocStore(config, logger);
}
