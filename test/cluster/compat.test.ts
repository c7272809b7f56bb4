/**
 * The REST-compatibility rule that decides which Elasticsearch client major Vigil uses: the 9.x client
 * sends `compatible-with=9`, which Elasticsearch 8 refuses; the 8.x client is accepted by 8 and 9.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as Client9 } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { createSearchClient } from '../../src/cluster/index.ts';
import { silentLogger } from '../../src/log.ts';
import { startTestCluster, type TestCluster } from './server.ts';

describe('Elasticsearch compatibility headers', () => {
  let es8: TestCluster;
  let es9: TestCluster;
  let os2: TestCluster;
  beforeAll(async () => {
    [es8, es9, os2] = await Promise.all([startTestCluster({ flavour: 'es8' }), startTestCluster({ flavour: 'es9' }), startTestCluster({ flavour: 'os2' })]);
  });
  afterAll(async () => {
    await Promise.all([es8.close(), es9.close(), os2.close()]);
  });

  it('the 9.x client is refused by Elasticsearch 8 with the real 400 media_type_header_exception', async () => {
    const client = new Client9({ node: es8.url, maxRetries: 0 });
    const err = (await client.search({ index: 'x' }).catch((e: unknown) => e)) as { name: string; meta: { statusCode: number; body: { error: { type: string; caused_by: { reason: string } } } } };
    await client.close();
    expect(err.name).toBe('ResponseError');
    expect(err.meta.statusCode).toBe(400);
    expect(err.meta.body.error.type).toBe('media_type_header_exception');
    expect(err.meta.body.error.caused_by.reason).toContain('Accept version must be either version 8 or 7, but found 9');
  });

  it('the 9.x client works against Elasticsearch 9; the 8.x client against 8 and 9', async () => {
    const pairs: Array<[new (o: { node: string; maxRetries: number }) => Client9, TestCluster]> = [
      [Client9, es9],
      [Client8 as unknown as typeof Client9, es8],
      [Client8 as unknown as typeof Client9, es9],
    ];
    for (const [Client, cluster] of pairs) {
      const client = new Client({ node: cluster.url, maxRetries: 0 });
      const info = await client.info();
      expect(info.version.number).toMatch(/^[89]\./);
      await client.close();
    }
  });

  it('a mismatch between Accept and Content-Type versions is refused', async () => {
    const res = await fetch(`${es9.url}/_search`, {
      method: 'POST',
      headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=8', 'content-type': 'application/vnd.elasticsearch+json; compatible-with=9' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    const body = (await res.json()) as { error: { caused_by: { reason: string } } };
    expect(body.error.caused_by.reason).toContain('compatible versions must match');
  });

  it('the Elasticsearch client refuses a server without x-elastic-product (OpenSearch), and Vigil maps it', async () => {
    const client = new Client9({ node: os2.url, maxRetries: 0 });
    const err = (await client.info().catch((e: unknown) => e)) as Error;
    await client.close();
    expect(err.name).toBe('ProductNotSupportedError');
    // Vigil detects OpenSearch first, so the same URL works through Vigil's client.
    const vigil = createSearchClient({ name: 'os', urls: [os2.url] }, silentLogger());
    expect(await vigil.count(['nothing-*'])).toBe(0);
    await vigil.close();
    // Forcing the wrong distribution surfaces the product check as a ClusterError.
    const forced = createSearchClient({ name: 'os', urls: [os2.url], distribution: 'elasticsearch' }, silentLogger());
    const mapped = await forced.search({ indices: ['nothing-*'] }).catch((e: unknown) => e);
    expect(mapped).toMatchObject({ type: 'product_not_supported', retryable: false });
    await forced.close();
  });

  it.each([
    ['es8', 8],
    ['es9', 9],
  ] as const)("Vigil's client picks the client major for %s", async (flavour, major) => {
    const cluster = flavour === 'es8' ? es8 : es9;
    const client = createSearchClient({ name: flavour, urls: [cluster.url] }, silentLogger());
    const before = cluster.requests.length;
    expect(await client.count(['nothing-*'])).toBe(0);
    await client.close();
    const sent = cluster.requests.slice(before);
    // First the plain detection request, then SDK requests with the matching compatible-with.
    expect(sent[0]!.path).toBe('/');
    expect(sent[0]!.headers.accept).toBe('application/json');
    const sdk = sent.slice(1);
    expect(sdk.length).toBeGreaterThan(0);
    for (const r of sdk) expect(r.headers.accept).toContain(`compatible-with=${major}`);
  });

  it('a forced distribution skips detection and uses the 8.x client, which Elasticsearch 9 accepts', async () => {
    const client = createSearchClient({ name: 'forced', urls: [es9.url], distribution: 'elasticsearch' }, silentLogger());
    const before = es9.requests.length;
    expect(await client.count(['nothing-*'])).toBe(0);
    await client.close();
    const sent = es9.requests.slice(before);
    expect(sent.map((r) => r.path)).not.toContain('/');
    expect(sent[0]!.headers.accept).toContain('compatible-with=8');
  });
});
