/**
 * Detects which product and version a cluster runs from its root endpoint (`GET /`), with a plain undici
 * request using the cluster's credentials and TLS settings. Knowing the major version first matters:
 * the 9.x Elasticsearch client is refused by Elasticsearch 8.
 */
import { Agent, request } from 'undici';
import type { ClusterInfo } from './types.ts';
import { ClusterError } from './types.ts';
import { authorizationHeader, type ResolvedConnection } from './connection.ts';
import { clusterErrorFromResponse, toClusterError } from './errors.ts';
import { readBody, type BodyStream } from '../net/read-body.ts';

/** Root-info bodies are small; a bigger answer is not a cluster. */
const MAX_ROOT_BYTES = 1024 * 1024;

export function parseRootInfo(body: unknown, headers: Record<string, string | string[] | undefined>): ClusterInfo | undefined {
  const b = body as { cluster_name?: unknown; version?: { number?: unknown; distribution?: unknown } } | undefined;
  const number = b?.version?.number;
  if (typeof number !== 'string' || !/^\d+\.\d+/.test(number)) return undefined;
  const major = Number(number.split('.')[0]);
  const distribution = b?.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
  // Elasticsearch ≥ 7.14 always sends the product header; without it this is not Elasticsearch.
  if (distribution === 'elasticsearch' && major >= 8 && headers['x-elastic-product'] !== 'Elasticsearch') return undefined;
  return { distribution, version: number, major, clusterName: typeof b?.cluster_name === 'string' ? b.cluster_name : '' };
}

export async function detectCluster(conn: ResolvedConnection, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ClusterInfo> {
  const ctx = { cluster: conn.name, secrets: conn.secrets };
  const timeout = opts.timeoutMs ?? conn.requestTimeoutMs;
  const dispatcher = new Agent({
    connect: { ca: conn.tls?.ca, rejectUnauthorized: conn.tls?.rejectUnauthorized ?? true, timeout },
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const authorization = authorizationHeader(conn.auth);
  let lastError: ClusterError | undefined;
  try {
    for (const node of conn.nodes) {
      try {
        const res = await request(node + '/', {
          method: 'GET',
          dispatcher,
          signal: opts.signal,
          headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
        });
        const text = await readCapped(res.body, MAX_ROOT_BYTES);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        if (res.statusCode >= 400) {
          lastError = clusterErrorFromResponse(ctx, res.statusCode, body);
          // Authentication and permission problems are the same on every node.
          if (res.statusCode === 401 || res.statusCode === 403) throw lastError;
          continue;
        }
        const info = parseRootInfo(body, res.headers);
        if (!info) {
          throw new ClusterError(`cluster [${conn.name}] root endpoint is not Elasticsearch or OpenSearch`, { type: 'product_not_supported', retryable: false });
        }
        return info;
      } catch (e) {
        if (e instanceof ClusterError && !e.retryable) throw e;
        lastError = toClusterError(ctx, e);
        if (opts.signal?.aborted) throw lastError;
      }
    }
    throw lastError ?? new ClusterError(`cluster [${conn.name}] has no nodes`, { retryable: false });
  } finally {
    void dispatcher.close().catch(() => {});
  }
}

async function readCapped(body: BodyStream, limit: number): Promise<string> {
  const { text, truncated } = await readBody(body, limit);
  if (truncated) throw new ClusterError('root endpoint response too large', { type: 'input_too_large', retryable: false });
  return text;
}
