/**
 * Impersonation: a request's `runAs` user goes to the cluster in the product's header (Elasticsearch
 * `es-security-runas-user`, OpenSearch `opendistro_security_impersonate_as`) when the cluster is
 * configured to impersonate, on searches and writes alike; otherwise it is not sent at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './server.ts';
import { ClusterRegistry } from '../../src/cluster/index.ts';
import { silentLogger } from '../../src/log.ts';

const HEADERS = { es8: 'es-security-runas-user', es9: 'es-security-runas-user', os2: 'opendistro_security_impersonate_as', os3: 'opendistro_security_impersonate_as' } as const;
const OTHER = { es8: HEADERS.os2, es9: HEADERS.os2, os2: HEADERS.es8, os3: HEADERS.es8 } as const;

describe.each(['es8', 'es9', 'os2', 'os3'] as const)('against %s', (flavour) => {
  let cluster: TestCluster;
  let clusters: ClusterRegistry;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour });
    cluster.seed('logs', [{ n: 1 }]);
    clusters = new ClusterRegistry([{ name: 'imp', urls: [cluster.url], impersonate: true }, { name: 'plain', urls: [cluster.url] }], silentLogger());
  });
  afterAll(async () => {
    await clusters.closeAll();
    await cluster.close();
  });

  const sent = (from: number) => cluster.requests.slice(from).filter((r) => r.path !== '/');

  it('sends the user to run as on searches, writes and bulk writes of an impersonating cluster', async () => {
    const from = cluster.requests.length;
    const imp = clusters.get('imp');
    await imp.search({ indices: ['logs'], body: { size: 0 } }, { runAs: 'alice' });
    await imp.index({ index: 'alerts', document: { n: 1 } }, { runAs: 'alice' });
    await imp.bulkIndex('alerts', [{ n: 2 }, { n: 3 }], { runAs: 'alice' });
    await imp.search({ indices: ['logs'], body: { size: 0 } });
    const requests = sent(from);
    expect(requests.map((r) => r.headers[HEADERS[flavour]])).toEqual(['alice', 'alice', 'alice', undefined]);
    expect(requests.every((r) => r.headers[OTHER[flavour]] === undefined)).toBe(true);
  });

  it('sends nothing of the kind to a cluster not configured to impersonate', async () => {
    const from = cluster.requests.length;
    const plain = clusters.get('plain');
    await plain.search({ indices: ['logs'], body: { size: 0 } }, { runAs: 'alice' });
    await plain.index({ index: 'alerts', document: { n: 1 } }, { runAs: 'alice' });
    const requests = sent(from);
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.headers[HEADERS[flavour]] === undefined)).toBe(true);
  });
});
