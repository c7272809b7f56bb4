/**
 * The raw request path of the document store: the official client's own transport (connection pool,
 * authentication, TLS, product check and Elasticsearch's compatibility headers), one per product and
 * major, as `elasticsearch.ts`/`opensearch.ts` choose for searches: the 8.x Elasticsearch client for
 * Elasticsearch 8 (and whenever the major is unknown), 9.x for 9 and later, the OpenSearch client for
 * OpenSearch. The document APIs Vigil uses have the same paths and bodies on both products, so the
 * store speaks them once (docstore.ts) instead of through two SDKs' differently shaped methods.
 */
import { Client as Client9 } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { Client as OsClient } from '@opensearch-project/opensearch';
import type { Distribution } from './types.ts';
import type { ResolvedConnection } from './connection.ts';
import { authorizationHeader } from './connection.ts';
import { clientMajorFor } from './elasticsearch.ts';
import { clusterErrorFromResponse, toClusterError, type ErrorContext } from './errors.ts';

export interface RawRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  querystring?: Record<string, string>;
  /** A JSON body; a string is sent as it is (JSON text). */
  body?: Record<string, unknown> | string;
  /** An NDJSON body (`_bulk`), sent as it is. */
  bulkBody?: string;
}

export interface RawResponse {
  status: number;
  body: unknown;
}

/** Sends one request; statuses in `accept` come back as responses, every other failure throws a ClusterError. */
export interface RawTransport {
  readonly distribution: Distribution;
  request(req: RawRequest, accept?: number[]): Promise<RawResponse>;
  close(): Promise<void>;
}

interface SdkTransport {
  request(params: RawRequest, options: Record<string, unknown>): Promise<{ body: unknown; statusCode: number | null }>;
}

export function openTransport(conn: ResolvedConnection, distribution: Distribution, serverMajor: number | undefined): RawTransport {
  const ctx: ErrorContext = { cluster: conn.name, secrets: conn.secrets };
  const tls = conn.tls ? { ca: conn.tls.ca, rejectUnauthorized: conn.tls.rejectUnauthorized ?? true } : undefined;
  let transport: SdkTransport;
  let close: () => Promise<void>;
  if (distribution === 'opensearch') {
    const client = new OsClient({
      nodes: conn.nodes,
      auth: conn.auth && 'username' in conn.auth ? conn.auth : undefined,
      // The OpenSearch client has no API-key option; the header is sent as is.
      headers: conn.auth && 'apiKey' in conn.auth ? { authorization: authorizationHeader(conn.auth) } : {},
      ssl: tls,
      requestTimeout: conn.requestTimeoutMs,
      maxRetries: 0,
    });
    transport = client.transport as unknown as SdkTransport;
    close = () => client.close();
  } else {
    // Retries are the state store's decision (it queues and backs off); a retrying client would hide outages.
    const options = { nodes: conn.nodes, name: conn.name, auth: conn.auth, tls, requestTimeout: conn.requestTimeoutMs, maxRetries: 0 };
    const client = clientMajorFor(serverMajor) === 9 ? new Client9(options) : (new Client8(options) as unknown as Client9);
    transport = client.transport as unknown as SdkTransport;
    close = () => client.close();
  }
  return {
    distribution,
    async request(req, accept = []) {
      let res: { body: unknown; statusCode: number | null };
      try {
        res = await transport.request(req, { ignore: accept, meta: true, requestTimeout: conn.requestTimeoutMs, maxRetries: 0 });
      } catch (e) {
        throw toClusterError(ctx, e);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && !accept.includes(status)) throw clusterErrorFromResponse(ctx, status, res.body);
      return { status, body: res.body };
    },
    close,
  };
}
