/**
 * The SearchClient conformance suite through the official clients against the test cluster posing as
 * each product, plus the failure modes that need a controllable cluster: 503, cluster down, timeouts,
 * the response cap, and credentials never reaching an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { createSearchClient } from '../../src/cluster/index.ts';
import { ClusterError, type SearchClient } from '../../src/cluster/types.ts';
import { silentLogger } from '../../src/log.ts';
import { startTestCluster, type TestCluster } from './server.ts';
import { FLAVOUR_INFO, FLAVOURS } from './flavours.ts';
import { searchClientSuite } from './suite.ts';

const logger = silentLogger();

describe.each(FLAVOURS)('flavour %s', (flavour) => {
  let cluster: TestCluster;
  let client: SearchClient;

  beforeAll(async () => {
    // The suite writes with refresh=wait_for; a short interval keeps those waits short.
    cluster = await startTestCluster({ flavour, refreshIntervalMs: 20 });
    client = createSearchClient({ name: 'default', urls: [cluster.url] }, logger);
  });
  afterAll(async () => {
    await client.close();
    await cluster.close();
  });

  searchClientSuite(flavour, () => ({
    client,
    expected: { distribution: FLAVOUR_INFO[flavour].distribution, major: FLAVOUR_INFO[flavour].major },
    putStoredScript: async (id, source) => {
      cluster.store.scripts.set(id, { lang: 'mustache', source });
    },
  }));

  it('sends indices options and timeout as query parameters on the search path', async () => {
    cluster.seed('qp', [{ a: 1 }]);
    await client.search({ indices: ['qp', 'other*'], body: { size: 0 }, timeout: '7s', indices_options: { ignore_unavailable: true, allow_no_indices: true, expand_wildcards: ['open', 'hidden'] } });
    const req = cluster.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/qp,other*/_search');
    expect(Object.fromEntries(req.query)).toEqual({ ignore_unavailable: 'true', allow_no_indices: 'true', expand_wildcards: 'open,hidden', timeout: '7s' });
    const tpl = await client.search({ indices: ['qp'], template: { source: { size: 0 }, params: {} } });
    expect(tpl).toHaveProperty('hits');
    expect(cluster.requests.at(-1)!.path).toBe('/qp/_search/template');
  });

  it('a 503 is a retryable ClusterError, and the client recovers when the cluster does', async () => {
    cluster.setFault(() => ({ status: 503, body: { error: { root_cause: [], type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered];' }, status: 503 } }));
    const err = await client.count(['qp']).catch((e: unknown) => e);
    cluster.setFault(undefined);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ status: 503, type: 'cluster_block_exception', retryable: true });
    expect(await client.count(['qp'])).toBe(1);
  });

  it('a 429 is retryable; a dropped connection is retryable without a status', async () => {
    cluster.setFault(() => ({ status: 429, body: { error: { root_cause: [], type: 'es_rejected_execution_exception', reason: 'rejected' }, status: 429 } }));
    const busy = await client.search({ indices: ['qp'] }).catch((e: unknown) => e);
    cluster.setFault(() => 'close');
    const dropped = await client.search({ indices: ['qp'] }).catch((e: unknown) => e);
    cluster.setFault(undefined);
    expect(busy).toMatchObject({ status: 429, retryable: true });
    expect(dropped).toBeInstanceOf(ClusterError);
    expect(dropped).toMatchObject({ status: undefined, retryable: true });
    expect(await client.count(['qp'])).toBe(1);
  });

  it('a cluster that does not answer in time is a retryable timeout', async () => {
    cluster.setFault(() => 'hang');
    const err = await client.search({ indices: ['qp'] }, { timeoutMs: 100 }).catch((e: unknown) => e);
    cluster.setFault(undefined);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ type: 'timeout', retryable: true });
  });

  it('a response over maxResponseBytes fails with input_too_large', async () => {
    const big = Array.from({ length: 50 }, (_, i) => ({ i, text: 'x'.repeat(1000) }));
    cluster.seed('big', big);
    const capped = createSearchClient({ name: 'capped', urls: [cluster.url], maxResponseBytes: 20_000 }, logger);
    try {
      const small = (await capped.search({ indices: ['big'], body: { size: 5 } })) as { hits: { hits: unknown[] } };
      expect(small.hits.hits).toHaveLength(5);
      const err = await capped.search({ indices: ['big'], body: { size: 50 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ type: 'input_too_large', retryable: false });
    } finally {
      await capped.close();
    }
  });
});

describe('cluster down', () => {
  it.each(FLAVOURS)('%s: connection refused is a retryable ClusterError, for detection and for forced clients', async (flavour) => {
    const cluster = await startTestCluster({ flavour });
    const url = cluster.url;
    await cluster.close();
    const detecting = createSearchClient({ name: 'down', urls: [url] }, logger);
    const forced = createSearchClient({ name: 'down', urls: [url], distribution: FLAVOUR_INFO[flavour].distribution }, logger);
    for (const c of [detecting, forced]) {
      const err = await c.search({ indices: ['x'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ status: undefined, retryable: true });
      await c.close();
    }
  });
});

describe('credentials never reach an error', () => {
  const password = 'S3cret-Pa55word';
  const apiKey = 'c2VjcmV0LWFwaS1rZXktdmFsdWU=';

  function assertClean(err: unknown, secrets: string[]): void {
    expect(err).toBeInstanceOf(ClusterError);
    const text = [String(err), (err as Error).stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)].join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toMatch(/\/\/[^/\s]*:[^/\s]*@/);
  }

  it.each(FLAVOURS)('%s: wrong password (401), cluster down, and bad query, with user:password in the URL and basic auth', async (flavour) => {
    const cluster = await startTestCluster({ flavour, auth: { username: 'vigil', password: 'other-password' } });
    const basic = Buffer.from(`vigil:${password}`).toString('base64');
    const host = cluster.url.replace('http://', '');
    const viaUrl = createSearchClient({ name: 'c', urls: [`http://vigil:${password}@${host}`] }, logger);
    const viaAuth = createSearchClient({ name: 'c', urls: [cluster.url], auth: { username: 'vigil', password }, distribution: FLAVOUR_INFO[flavour].distribution }, logger);
    const unauthorised = await viaUrl.search({ indices: ['x'] }).catch((e: unknown) => e);
    expect(unauthorised).toMatchObject({ status: 401, type: 'security_exception', retryable: false });
    assertClean(unauthorised, [password, basic]);
    const forced = await viaAuth.search({ indices: ['x'] }).catch((e: unknown) => e);
    expect(forced).toMatchObject({ status: 401 });
    assertClean(forced, [password, basic]);
    // The credentials are sent, but only in the Authorization header.
    expect(cluster.requests.some((r) => r.headers.authorization === `Basic ${basic}`)).toBe(true);
    await cluster.close();
    for (const c of [viaUrl, viaAuth]) {
      assertClean(await c.search({ indices: ['x'] }).catch((e: unknown) => e), [password, basic]);
      await c.close();
    }
  });

  it('an API key is sent as a header and kept out of errors', async () => {
    const cluster = await startTestCluster({ flavour: 'es9', auth: { apiKey } });
    const client = createSearchClient({ name: 'k', urls: [cluster.url], auth: { apiKey } }, logger);
    expect(await client.count(['nothing-*'])).toBe(0);
    const err = await client.search({ indices: ['missing'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404 });
    assertClean(err, [apiKey]);
    await client.close();
    await cluster.close();
  });
});
