/**
 * The SearchClient conformance suite against real clusters, run only when their URLs are given:
 *
 *   VIGIL_TEST_ES_URL=http://127.0.0.1:9208,http://127.0.0.1:9209 \
 *   VIGIL_TEST_OPENSEARCH_URL=http://127.0.0.1:9202 npx vitest run test/cluster/real-cluster.test.ts
 *
 * (docker/compose.yaml starts such clusters). Each variable may hold several comma-separated URLs, one
 * cluster each. The suite writes only to `vigil-suite-*` indices and deletes them afterwards.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { request } from 'undici';
import { createSearchClient } from '../../src/cluster/index.ts';
import type { SearchClient } from '../../src/cluster/types.ts';
import { silentLogger } from '../../src/log.ts';
import { searchClientSuite } from './suite.ts';

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

    searchClientSuite(`${distribution} ${url}`, () => ({
      client,
      expected: { distribution },
      putStoredScript: async (id, source) => {
        await call(url, 'PUT', `/_scripts/${encodeURIComponent(id)}`, { script: { lang: 'mustache', source } });
      },
    }));
  });
});
