/**
 * The SearchClient seam: checks and the index action talk to a cluster only through this, so unit tests
 * assert on exact requests and the official SDKs stay behind `elasticsearch.ts` / `opensearch.ts`.
 */

export type Distribution = 'elasticsearch' | 'opensearch';

export interface ClusterInfo {
  distribution: Distribution;
  /** e.g. "8.15.0", "9.1.2", "2.17.1", "3.0.0" */
  version: string;
  major: number;
  clusterName: string;
}

export interface SearchRequest {
  indices: string[];
  /** Full query DSL body, already rendered and parsed. */
  body?: Record<string, unknown>;
  /** A stored search template: `{id, params}`. */
  template?: { id?: string; source?: unknown; params?: Record<string, unknown> };
  indices_options?: {
    allow_no_indices?: boolean;
    expand_wildcards?: string | string[];
    ignore_unavailable?: boolean;
  };
  /** Server-side search timeout, e.g. "30s". */
  timeout?: string;
}

export interface IndexRequest {
  index: string;
  id?: string;
  document: Record<string, unknown>;
  refresh?: boolean | 'wait_for';
  /** Optimistic concurrency: write only if the document still has this `_seq_no`/`_primary_term` (else 409). */
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  /** `create` fails with 409 when the id exists. Default `index`. */
  opType?: 'index' | 'create';
}

export interface IndexResult {
  index: string;
  id: string;
  result: string;
  seqNo?: number;
  primaryTerm?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Client-side timeout in ms (defaults from the cluster config). */
  timeoutMs?: number;
  /**
   * The user the request is made for. Sent to the cluster (Elasticsearch's `es-security-runas-user`,
   * OpenSearch's `opendistro_security_impersonate_as`) only when the cluster's configuration says
   * `impersonate`; ignored otherwise.
   */
  runAs?: string;
}

export interface SearchClient {
  readonly name: string;
  /** Detects (and caches) the distribution and version from the root endpoint. */
  info(opts?: RequestOptions): Promise<ClusterInfo>;
  /** Returns the search response body as plain JSON. Throws ClusterError. */
  search(req: SearchRequest, opts?: RequestOptions): Promise<Record<string, unknown>>;
  count(indices: string[], query?: Record<string, unknown>, opts?: RequestOptions): Promise<number>;
  index(req: IndexRequest, opts?: RequestOptions): Promise<IndexResult>;
  /** Bulk index many documents; returns per-item errors (empty when all succeeded). */
  bulkIndex(index: string, docs: Array<Record<string, unknown>>, opts?: RequestOptions & { refresh?: boolean | 'wait_for' }): Promise<Array<{ position: number; error: string }>>;
  close(): Promise<void>;
}

/** A cluster failure in a shape safe to log: status, the cluster's error type and reason, no credentials. */
export class ClusterError extends Error {
  readonly status: number | undefined;
  readonly type: string | undefined;
  /** True for network errors, timeouts, 429 and 5xx. */
  readonly retryable: boolean;
  constructor(message: string, opts: { status?: number; type?: string; retryable: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'ClusterError';
    this.status = opts.status;
    this.type = opts.type;
    this.retryable = opts.retryable;
  }
}

/** Configuration of one named cluster. */
export interface ClusterConfig {
  name: string;
  urls: string[];
  auth?: { username: string; password: string } | { apiKey: string };
  tls?: { ca?: string; rejectUnauthorized?: boolean };
  /** Request timeout in ms; default 30 000. */
  requestTimeoutMs?: number;
  /** Search response cap in bytes; default 10 MiB. A larger response fails the run (a ClusterError of type `input_too_large`). */
  maxResponseBytes?: number;
  /** Force a distribution instead of detecting it (useful when the root endpoint is not reachable). */
  distribution?: Distribution;
  /**
   * Send a request's `runAs` user to the cluster (the product's impersonation header), so that the
   * cluster applies that user's privileges; the configured credentials must be allowed to impersonate.
   * Default false: `runAs` is not sent.
   */
  impersonate?: boolean;
}
