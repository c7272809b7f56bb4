/**
 * The document-store conformance suite against the test cluster in every flavour, each through the
 * official client a backend would use for it: the 8.x Elasticsearch client against 8 and 9 (it is
 * the one both accept), the 9.x client against 9, the OpenSearch client against 2 and 3.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { Client as Client9 } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { startTestCluster, type TestCluster } from './server.ts';
import type { Flavour } from './flavours.ts';
import { esDocClient, osDocClient, type DocClient } from './docstore-clients.ts';
import { docStoreSuite } from './docstore-suite.ts';

const combos: Array<{ flavour: Flavour; client: 'es8' | 'es9' | 'os' }> = [
  { flavour: 'es8', client: 'es8' },
  { flavour: 'es9', client: 'es8' },
  { flavour: 'es9', client: 'es9' },
  { flavour: 'os2', client: 'os' },
  { flavour: 'os3', client: 'os' },
];

describe.each(combos)('$flavour through the $client client', ({ flavour, client: kind }) => {
  let cluster: TestCluster;
  let client: DocClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // The suite writes with refresh=wait_for once; a short interval keeps that wait short.
    cluster = await startTestCluster({ flavour, refreshIntervalMs: 20 });
    const node = cluster.url;
    if (kind === 'os') {
      const os = new OsClient({ node });
      client = osDocClient(os);
      close = () => os.close();
    } else {
      const es = kind === 'es9' ? new Client9({ node }) : (new Client8({ node }) as unknown as Client9);
      client = esDocClient(es);
      close = () => es.close();
    }
  });
  afterAll(async () => {
    await close();
    await cluster.close();
  });

  docStoreSuite(`${flavour} (${kind} client)`, () => ({ client }));
});
