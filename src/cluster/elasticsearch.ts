/**
 * SearchClient over the official Elasticsearch clients. SDKs are imported here, in opensearch.ts and, for
 * the state store's documents, in docstore-transport.ts only.
 *
 * The 9.x client hard-codes `compatible-with=9`, which Elasticsearch 8 refuses with a 400; the 8.x
 * client (npm alias `es8`) sends `compatible-with=8`, which both Elasticsearch 8 and 9 accept. So the
 * detected major picks the client: 9 and later → 9.x, otherwise (or when the major is unknown because
 * the distribution was forced) → 8.x.
 */
import { Client as Client9 } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import type { Logger } from '../log.ts';
import type { IndexRequest, IndexResult, RequestOptions, SearchRequest } from './types.ts';
import type { ResolvedConnection } from './connection.ts';
import { bulkErrors, parseSearchBody, readCappedBody, searchShape, type Backend } from './backend.ts';
import { clusterErrorFromResponse, responseTooLarge, toClusterError, type ErrorContext } from './errors.ts';

export type ElasticsearchClientMajor = 8 | 9;

/** Elasticsearch security's run-as header: the request runs with that user's privileges. */
export const RUN_AS_HEADER = 'es-security-runas-user';

export function clientMajorFor(serverMajor: number | undefined): ElasticsearchClientMajor {
  return serverMajor !== undefined && serverMajor >= 9 ? 9 : 8;
}

export class ElasticsearchBackend implements Backend {
  readonly clientMajor: ElasticsearchClientMajor;
  readonly #client: Client9;
  readonly #ctx: ErrorContext;
  readonly #conn: ResolvedConnection;

  constructor(conn: ResolvedConnection, serverMajor: number | undefined, logger: Logger) {
    this.#conn = conn;
    this.#ctx = { cluster: conn.name, secrets: conn.secrets };
    this.clientMajor = clientMajorFor(serverMajor);
    const options = {
      nodes: conn.nodes,
      name: conn.name,
      auth: conn.auth,
      tls: conn.tls ? { ca: conn.tls.ca, rejectUnauthorized: conn.tls.rejectUnauthorized ?? true } : undefined,
      requestTimeout: conn.requestTimeoutMs,
      // Vigil decides about retries per run; a retrying client would hide outages and pile up.
      maxRetries: 0,
    };
    // The two majors expose the same methods for what Vigil uses; type-check against the 9.x declarations.
    this.#client = this.clientMajor === 9 ? new Client9(options) : (new Client8(options) as unknown as Client9);
    logger.debug({ cluster: conn.name, clientMajor: this.clientMajor, serverMajor }, 'elasticsearch client created');
  }

  #options(opts?: RequestOptions) {
    return {
      signal: opts?.signal,
      requestTimeout: opts?.timeoutMs ?? this.#conn.requestTimeoutMs,
      ...(opts?.runAs !== undefined ? { headers: { [RUN_AS_HEADER]: opts.runAs } } : {}),
    };
  }

  async search(req: SearchRequest, opts?: RequestOptions): Promise<Record<string, unknown>> {
    const shape = searchShape(req);
    try {
      // Streamed so the byte cap is ours (see readCappedBody); the product check still runs on the headers.
      const res = await this.#client.transport.request(shape, { ...this.#options(opts), asStream: true, meta: true });
      const limit = this.#conn.maxResponseBytes;
      const body = res.body as unknown as Parameters<typeof readCappedBody>[0];
      const text = await readCappedBody(body, res.headers['content-length'], limit, () => responseTooLarge(this.#ctx, limit));
      return parseSearchBody(text, res.statusCode ?? 0, (status, b) => clusterErrorFromResponse(this.#ctx, status, b));
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async count(indices: string[], query?: Record<string, unknown>, opts?: RequestOptions): Promise<number> {
    try {
      const res = await this.#client.count({ index: indices, ...(query ? { query } : {}) }, this.#options(opts));
      return res.count;
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async index(req: IndexRequest, opts?: RequestOptions): Promise<IndexResult> {
    try {
      const res = await this.#client.index(
        { index: req.index, id: req.id, document: req.document, refresh: req.refresh, if_seq_no: req.ifSeqNo, if_primary_term: req.ifPrimaryTerm, op_type: req.opType },
        this.#options(opts),
      );
      return { index: res._index, id: res._id, result: res.result, seqNo: res._seq_no, primaryTerm: res._primary_term };
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async bulkIndex(index: string, docs: Array<Record<string, unknown>>, opts?: RequestOptions & { refresh?: boolean | 'wait_for' }): Promise<Array<{ position: number; error: string }>> {
    if (docs.length === 0) return [];
    try {
      const res = await this.#client.bulk({ operations: docs.flatMap((d) => [{ index: { _index: index } }, d]), refresh: opts?.refresh }, this.#options(opts));
      return res.errors ? bulkErrors(res.items as never) : [];
    } catch (e) {
      throw toClusterError(this.#ctx, e, this.#conn.maxResponseBytes);
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
