/**
 * The StateStore and SecurityStore conformance suites on the cluster backend: against the test cluster
 * as Elasticsearch 8 and 9 and OpenSearch 2 and 3, and against real clusters when
 * VIGIL_TEST_ES_URL / VIGIL_TEST_OPENSEARCH_URL are set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FLAVOURS } from '../../cluster/flavours.ts';
import type { ClusterStateStore } from '../../../src/state/cluster/index.ts';
import { stateStoreSuite } from '../store-suite.ts';
import { securityStoreSuite } from '../security-store-suite.ts';
import { dropPrefix, freshPrefix, openStore, realClusters } from './kit.ts';
import { emptyWatchState } from '../../../src/state/records.ts';
import { entry, logRecord } from '../store-suite.ts';

function suites(label: string, url: () => string, cleanup: boolean): void {
  const opened = async () => {
    const prefix = freshPrefix();
    let store: ClusterStateStore = await openStore(url(), { prefix });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = await openStore(url(), { prefix });
        return store;
      },
      close: async () => {
        await store.close();
        if (cleanup) await dropPrefix(url(), prefix);
      },
    };
  };
  stateStoreSuite(`cluster (${label})`, opened);
  securityStoreSuite(`cluster (${label})`, async () => {
    const o = await opened();
    return { store: (o.store as ClusterStateStore).security, close: o.close };
  });
}

describe.each(FLAVOURS)('cluster backend on the test cluster as %s', (flavour) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
  });
  afterAll(() => cluster.close());
  suites(flavour, () => cluster.url, false);

  it('a commit whose log record the log index cannot take writes nothing, and says which field', async () => {
    const store = await openStore(cluster.url);
    try {
      const err = await store
        .commit({ state: { tenant: '_main', watchId: 'w', value: emptyWatchState('n') }, enqueue: [entry('k', 1)], log: logRecord('r', { execution_end: 'yesterday' }) })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', detail: { execution_end: [expect.anything()] } });
      expect(await store.watchState.get('_main', 'w')).toBeUndefined();
      expect(await store.outbox.get('k')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe.runIf(realClusters().length > 0).each(realClusters())('cluster backend on $label', ({ url, label }) => {
  suites(label, () => url, true);
});
