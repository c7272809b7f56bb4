/**
 * Entry point of the cluster layer: `createSearchClient` (lazy product/version detection, cached) and
 * `ClusterRegistry` (named clusters from the daemon config). Checks and actions depend only on the
 * SearchClient interface in `types.ts`.
 */
import type { Logger } from '../log.ts';
import { VigilError } from '../errors.ts';
import type { ClusterConfig, ClusterInfo, IndexRequest, IndexResult, RequestOptions, SearchClient, SearchRequest } from './types.ts';
import { resolveConnection, type ResolvedConnection } from './connection.ts';
import { detectCluster } from './detect.ts';
import type { Backend } from './backend.ts';
import { ElasticsearchBackend } from './elasticsearch.ts';
import { OpenSearchBackend } from './opensearch.ts';

export { ClusterError } from './types.ts';
export type { ClusterConfig, ClusterInfo, SearchClient, SearchRequest } from './types.ts';

/**
 * A SearchClient that detects the product and version on first use (`GET /`), caches the result, and
 * builds the matching SDK client. A failed detection is not cached, so a cluster that is down at start
 * is picked up on a later call. With `config.distribution` set, no detection happens before requests:
 * OpenSearch gets the OpenSearch client, Elasticsearch the 8.x client (accepted by Elasticsearch 8 and 9).
 */
class DetectingSearchClient implements SearchClient {
  readonly name: string;
  readonly #conn: ResolvedConnection;
  readonly #config: ClusterConfig;
  readonly #logger: Logger;
  #info: Promise<ClusterInfo> | undefined;
  #backend: Promise<Backend> | undefined;
  #closed = false;

  constructor(config: ClusterConfig, logger: Logger) {
    this.name = config.name;
    this.#config = config;
    this.#conn = resolveConnection(config);
    this.#logger = logger.child({ cluster: config.name });
  }

  info(opts?: RequestOptions): Promise<ClusterInfo> {
    if (!this.#info) {
      const p = detectCluster(this.#conn, { signal: opts?.signal, timeoutMs: opts?.timeoutMs });
      this.#info = p;
      p.then(
        (info) => this.#logger.info({ distribution: info.distribution, version: info.version }, 'cluster detected'),
        () => {
          if (this.#info === p) this.#info = undefined;
        },
      );
    }
    return this.#info;
  }

  #getBackend(opts?: RequestOptions): Promise<Backend> {
    if (this.#closed) return Promise.reject(new VigilError('INTERNAL', `cluster [${this.name}] client is closed`));
    if (!this.#backend) {
      const p = this.#createBackend(opts);
      this.#backend = p;
      p.catch(() => {
        if (this.#backend === p) this.#backend = undefined;
      });
    }
    return this.#backend;
  }

  async #createBackend(opts?: RequestOptions): Promise<Backend> {
    const forced = this.#config.distribution;
    if (forced === 'opensearch') return new OpenSearchBackend(this.#conn, this.#logger);
    if (forced === 'elasticsearch') return new ElasticsearchBackend(this.#conn, undefined, this.#logger);
    const info = await this.info(opts);
    return info.distribution === 'opensearch' ? new OpenSearchBackend(this.#conn, this.#logger) : new ElasticsearchBackend(this.#conn, info.major, this.#logger);
  }

  async search(req: SearchRequest, opts?: RequestOptions): Promise<Record<string, unknown>> {
    return (await this.#getBackend(opts)).search(req, this.#sent(opts));
  }

  async count(indices: string[], query?: Record<string, unknown>, opts?: RequestOptions): Promise<number> {
    return (await this.#getBackend(opts)).count(indices, query, this.#sent(opts));
  }

  async index(req: IndexRequest, opts?: RequestOptions): Promise<IndexResult> {
    return (await this.#getBackend(opts)).index(req, this.#sent(opts));
  }

  async bulkIndex(index: string, docs: Array<Record<string, unknown>>, opts?: RequestOptions & { refresh?: boolean | 'wait_for' }): Promise<Array<{ position: number; error: string }>> {
    return (await this.#getBackend(opts)).bulkIndex(index, docs, this.#sent(opts));
  }

  /** The options as the backend sends them: a `runAs` user only to a cluster configured to impersonate. */
  #sent<T extends RequestOptions>(opts: T | undefined): T | undefined {
    if (opts?.runAs === undefined || this.#config.impersonate) return opts;
    const { runAs: _dropped, ...rest } = opts;
    return rest as T;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const backend = this.#backend;
    this.#backend = undefined;
    if (backend) await backend.then((b) => b.close(), () => {});
  }
}

/** Builds a SearchClient for one cluster. Throws VigilError CONFIG_INVALID for unusable URLs. */
export function createSearchClient(config: ClusterConfig, logger: Logger): SearchClient {
  return new DetectingSearchClient(config, logger);
}

/** The configured clusters by name; clients are created on first `get`. */
export class ClusterRegistry {
  readonly #configs = new Map<string, ClusterConfig>();
  readonly #connections = new Map<string, ResolvedConnection>();
  readonly #clients = new Map<string, SearchClient>();
  readonly #logger: Logger;

  constructor(configs: ClusterConfig[], logger: Logger) {
    this.#logger = logger;
    for (const c of configs) {
      if (this.#configs.has(c.name)) throw new VigilError('CONFIG_INVALID', `cluster [${c.name}] is configured twice`);
      // Fail at start, not at first search, on a bad URL.
      this.#connections.set(c.name, resolveConnection(c));
      this.#configs.set(c.name, c);
    }
  }

  names(): string[] {
    return [...this.#configs.keys()];
  }

  has(name: string): boolean {
    return this.#configs.has(name);
  }

  /**
   * Whether a configured cluster answers now: its root endpoint, with its credentials, never cached (the
   * health probe). Rejects with a ClusterError (no credential in it) when it does not.
   */
  probe(name: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ClusterInfo> {
    const conn = this.#connections.get(name);
    if (!conn) return Promise.reject(new VigilError('NOT_FOUND', `unknown cluster [${name}]`));
    return detectCluster(conn, opts);
  }

  /** The client for a configured cluster; VigilError NOT_FOUND (listing the configured names) otherwise. */
  get(name: string): SearchClient {
    const existing = this.#clients.get(name);
    if (existing) return existing;
    const config = this.#configs.get(name);
    if (!config) {
      const known = this.names();
      throw new VigilError('NOT_FOUND', `unknown cluster [${name}]; configured clusters: ${known.length ? known.join(', ') : '(none)'}`, {
        cluster: [{ error: 'unknown cluster', value: name }],
      });
    }
    const client = createSearchClient(config, this.#logger);
    this.#clients.set(name, client);
    return client;
  }

  async closeAll(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
