/**
 * The SearchClient and document-store conformance suites against real clusters, run only when their
 * URLs are given:
 *
 *   VIGIL_TEST_ES_URL=http://127.0.0.1:9208,http://127.0.0.1:9209 \
 *   VIGIL_TEST_OPENSEARCH_URL=http://127.0.0.1:9202 npx vitest run test/cluster/real-cluster.test.ts
 *
 * (docker/compose.yaml starts such clusters). Each variable may hold several comma-separated URLs, one
 * cluster each. The suites write only to `vigil-suite-*` and `vigil-ds-*` indices (and `vigil-ds-*`
 * index templates) and delete them afterwards.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { request } from 'undici';
import { createSearchClient } from '../../src/cluster/index.ts';
import type { SearchClient } from '../../src/cluster/types.ts';
import { silentLogger } from '../../src/log.ts';
import { searchClientSuite } from './suite.ts';
import { Client as Client9 } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { esDocClient, osDocClient, type DocClient } from './docstore-clients.ts';
import { docStoreSuite } from './docstore-suite.ts';

const esUrls = (process.env.VIGIL_TEST_ES_URL ?? '').split(',').filter(Boolean);
const osUrls = (process.env.VIGIL_TEST_OPENSEARCH_URL ?? '').split(',').filter(Boolean);
const targets = [
  ...esUrls.map((url) => ({ url, distribution: 'elasticsearch' as const })),
  ...osUrls.map((url) => ({ url, distribution: 'opensearch' as const })),
];

async function call(base: string, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const res = await request(base.replace(/\/$/, '') + path, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

describe.runIf(targets.length > 0)('real clusters', () => {
  describe.each(targets)('$distribution at $url', ({ url, distribution }) => {
    let client: SearchClient;
    beforeAll(() => {
      client = createSearchClient({ name: 'real', urls: [url], requestTimeoutMs: 10_000 }, silentLogger());
    });
    afterAll(async () => {
      await client.close();
      // Wildcard deletes are refused by default (action.destructive_requires_name), so delete by name.
      const indices = (await call(url, 'GET', '/_cat/indices/vigil-suite-*?format=json&expand_wildcards=all')) as Array<{ index: string }>;
      for (const { index } of indices) await call(url, 'DELETE', `/${encodeURIComponent(index)}`);
    });

    // The document-store suite goes through the official client a backend would use for that product and major.
    let docClient: DocClient;
    let closeDocClient: () => Promise<void>;
    beforeAll(async () => {
      if (distribution === 'opensearch') {
        const os = new OsClient({ node: url });
        docClient = osDocClient(os);
        closeDocClient = () => os.close();
        return;
      }
      const root = (await call(url, 'GET', '/')) as { version: { number: string } };
      const es = root.version.number.startsWith('9.') ? new Client9({ node: url }) : (new Client8({ node: url }) as unknown as Client9);
      docClient = esDocClient(es);
      closeDocClient = () => es.close();
    });
    afterAll(() => closeDocClient());
    docStoreSuite(`${distribution} ${url}`, () => ({ client: docClient }));

    searchClientSuite(`${distribution} ${url}`, () => ({
      client,
      expected: { distribution },
      putStoredScript: async (id, source) => {
        await call(url, 'PUT', `/_scripts/${encodeURIComponent(id)}`, { script: { lang: 'mustache', source } });
      },
    }));
  });
});
