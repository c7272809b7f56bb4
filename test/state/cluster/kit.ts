/**
 * Opening cluster state stores on the test cluster (every flavour) or on a real cluster, each store on
 * an index prefix of its own so that tests sharing a cluster never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { createDocStore } from '../../../src/cluster/docstore.ts';
import type { DocStoreClient } from '../../../src/cluster/docstore-types.ts';
import { silentLogger } from '../../../src/log.ts';
import { ClusterStateStore, type ClusterStateStoreOptions } from '../../../src/state/cluster/index.ts';

export const freshPrefix = (): string => `vt-${randomBytes(4).toString('hex')}`;

export function docStore(url: string, extra: { requestTimeoutMs?: number } = {}): DocStoreClient {
  return createDocStore({ name: 'state', urls: [url], requestTimeoutMs: extra.requestTimeoutMs ?? 5000 }, silentLogger());
}

/** A store on its own client; `close()` closes both. */
export async function openStore(url: string, o: Partial<ClusterStateStoreOptions> = {}): Promise<ClusterStateStore> {
  return ClusterStateStore.open({ docs: docStore(url), ownsClient: true, prefix: freshPrefix(), node: 'test-node', writes: { paceMs: 2, backoff: { initialMs: 5, maxMs: 50 } }, ...o });
}

/**
 * The real clusters named by VIGIL_TEST_ES_URL / VIGIL_TEST_OPENSEARCH_URL (comma-separated), for
 * the suites that also run there.
 */
export function realClusters(): Array<{ url: string; label: string }> {
  const urls = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);
  return [...urls(process.env.VIGIL_TEST_ES_URL), ...urls(process.env.VIGIL_TEST_OPENSEARCH_URL)].map((url) => ({ url, label: `real ${url}` }));
}

/** Deletes every index and template of a prefix (by name: real clusters refuse wildcard deletes). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const ds = docStore(url);
  try {
    for (const i of await ds.listIndices(`${prefix}-*`)) await ds.deleteIndex(i.index);
    for (const t of ['log', 'audit']) await ds.deleteIndexTemplate(`${prefix}-${t}`);
  } finally {
    await ds.close();
  }
}
