import type { SearchClient } from '../cluster/types.ts';
import { ClusterError } from '../cluster/types.ts';
import type { Metrics } from '../metrics.ts';

/** The kind label of a failed cluster request: few values, whatever the cluster said. */
export function errorKind(e: unknown): 'unavailable' | 'rejected' | 'too_large' | 'other' {
  if (!(e instanceof ClusterError)) return 'other';
  if (e.type === 'input_too_large') return 'too_large';
  if (e.retryable) return 'unavailable';
  return e.status !== undefined && e.status >= 400 && e.status < 500 ? 'rejected' : 'other';
}

/**
 * Counts failed requests per configured cluster (`vigil_cluster_request_errors_total`). The client is
 * wrapped once per cluster and handed out as it is; a name that is not configured fails before any
 * request (and is not counted: it would be a label per typo).
 */
export function instrumentClusters(get: (cluster: string) => SearchClient, metrics: Metrics): (cluster: string) => SearchClient {
  const wrapped = new Map<string, SearchClient>();
  return (name) => {
    const known = wrapped.get(name);
    if (known) return known;
    const c = get(name);
    const count = <T>(p: Promise<T>): Promise<T> =>
      p.catch((e: unknown) => {
        metrics.clusterErrors.inc({ cluster: name, kind: errorKind(e) });
        throw e;
      });
    const client: SearchClient = {
      name: c.name,
      info: (o) => count(c.info(o)),
      search: (req, o) => count(c.search(req, o)),
      count: (indices, query, o) => count(c.count(indices, query, o)),
      index: (req, o) => count(c.index(req, o)),
      bulkIndex: (index, docs, o) => count(c.bulkIndex(index, docs, o)),
      close: () => c.close(),
    };
    wrapped.set(name, client);
    return client;
  };
}
