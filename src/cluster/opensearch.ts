/**
 * SearchClient over the official OpenSearch client. SDKs are imported here, in elasticsearch.ts and, for
 * the state store's documents, in docstore-transport.ts only.
 *
 * The OpenSearch client has no per-response byte limit (only a heap-percentage circuit breaker), so
 * searches are read as a stream and cut off at `maxResponseBytes` (backend.ts); a large response is
 * never buffered whole.
 */
import type { Readable } from 'node:stream';
import { Client } from '@opensearch-project/opensearch';
import type { Logger } from '../log.ts';
import type { IndexRequest, IndexResult, RequestOptions, SearchRequest } from './types.ts';
import type { ResolvedConnection } from './connection.ts';
import { authorizationHeader } from './connection.ts';
import { bulkErrors, parseSearchBody, readCappedBody, searchShape, type Backend } from './backend.ts';
import { clusterErrorFromResponse, responseTooLarge, toClusterError, type ErrorContext } from './errors.ts';

interface Abortable<T> extends Promise<T> {
  abort(): void;
}

/** Ties an AbortSignal to the OpenSearch transport's own `abort()`. */
async function withSignal<T>(p: Abortable<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) p.abort();
  const onAbort = () => p.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await p;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The OpenSearch security plugin's impersonation header: the request runs with that user's privileges. */
export const RUN_AS_HEADER = 'opendistro_security_impersonate_as';

export class OpenSearchBackend implements Backend {
  readonly #client: Client;
  readonly #ctx: ErrorContext;
  readonly #conn: ResolvedConnection;

  constructor(conn: ResolvedConnection, logger: Logger) {
    this.#conn = conn;
    this.#ctx = { cluster: conn.name, secrets: conn.secrets };
    const basic = conn.auth && 'username' in conn.auth ? conn.auth : undefined;
    this.#client = new Client({
      nodes: conn.nodes,
      auth: basic,
      // The OpenSearch client has no API-key auth option; send the header ourselves.
      headers: conn.auth && 'apiKey' in conn.auth ? { authorization: authorizationHeader(conn.auth) } : {},
      ssl: conn.tls ? { ca: conn.tls.ca, rejectUnauthorized: conn.tls.rejectUnauthorized ?? true } : undefined,
      requestTimeout: conn.requestTimeoutMs,
      maxRetries: 0,
    });
    logger.debug({ cluster: conn.name }, 'opensearch client created');
  }

  #options(opts?: RequestOptions) {
    return {
      requestTimeout: opts?.timeoutMs ?? this.#conn.requestTimeoutMs,
      maxRetries: 0,
      ...(opts?.runAs !== undefined ? { headers: { [RUN_AS_HEADER]: opts.runAs } } : {}),
    };
  }

  async search(req: SearchRequest, opts?: RequestOptions): Promise<Record<string, unknown>> {
    const shape = searchShape(req);
    const limit = this.#conn.maxResponseBytes;
    try {
      const p = this.#client.transport.request(shape, { ...this.#options(opts), asStream: true }) as unknown as Abortable<{
        statusCode: number | null;
        headers: Record<string, string | undefined> | null;
        body: Readable;
      }>;
      const res = await withSignal(p, opts?.signal);
      const text = await readCappedBody(res.body, res.headers?.['content-length'], limit, () => responseTooLarge(this.#ctx, limit));
      return parseSearchBody(text, res.statusCode ?? 0, (status, body) => clusterErrorFromResponse(this.#ctx, status, body));
    } catch (e) {
      throw toClusterError(this.#ctx, e, limit);
    }
  }

  async count(indices: string[], query?: Record<string, unknown>, opts?: RequestOptions): Promise<number> {
    try {
      const p = this.#client.count({ index: indices, ...(query ? { body: { query } } : {}) }, this.#options(opts));
      const res = await withSignal(p as Abortable<Awaited<typeof p>>, opts?.signal);
      return res.body.count;
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async index(req: IndexRequest, opts?: RequestOptions): Promise<IndexResult> {
    try {
      const p = this.#client.index(
        { index: req.index, id: req.id, body: req.document, refresh: req.refresh, if_seq_no: req.ifSeqNo, if_primary_term: req.ifPrimaryTerm, op_type: req.opType },
        this.#options(opts),
      );
      const res = await withSignal(p as Abortable<Awaited<typeof p>>, opts?.signal);
      const b = res.body;
      return { index: b._index, id: b._id, result: b.result, seqNo: b._seq_no, primaryTerm: b._primary_term };
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async bulkIndex(index: string, docs: Array<Record<string, unknown>>, opts?: RequestOptions & { refresh?: boolean | 'wait_for' }): Promise<Array<{ position: number; error: string }>> {
    if (docs.length === 0) return [];
    try {
      const p = this.#client.bulk({ body: docs.flatMap((d) => [{ index: { _index: index } }, d]), refresh: opts?.refresh }, this.#options(opts));
      const res = await withSignal(p as Abortable<Awaited<typeof p>>, opts?.signal);
      return res.body.errors ? bulkErrors(res.body.items as never) : [];
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
