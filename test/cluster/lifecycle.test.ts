/**
 * Simulating a cluster that goes away: stop() and start() on the same port keep the data while
 * clients see refused connections in between; setBlock() answers as a node with a cluster block does
 * (503 until its state is recovered, 429 on writes past the flood-stage disk watermark).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client as Client8 } from 'es8';
import { createSearchClient } from '../../src/cluster/index.ts';
import { ClusterError } from '../../src/cluster/types.ts';
import { silentLogger } from '../../src/log.ts';
import { startTestCluster, type TestCluster } from './server.ts';

let cluster: TestCluster;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await cluster.close();
});

describe('stop and start', () => {
  it('a stopped cluster refuses connections (a retryable ClusterError); started again on the same port it has its data', async () => {
    cluster = await startTestCluster({ flavour: 'es9' });
    cluster.seed('logs', [{ level: 'ERROR' }, { level: 'INFO' }]);
    const client = createSearchClient({ name: 'x', urls: [cluster.url], requestTimeoutMs: 2000 }, silentLogger());
    closers.push(() => client.close());
    expect(await client.count(['logs'])).toBe(2);
    await cluster.stop();
    const down = await client.count(['logs']).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ClusterError);
    expect(down).toMatchObject({ status: undefined, retryable: true });
    await cluster.start();
    expect(cluster.url).toBe(`http://127.0.0.1:${cluster.port}`);
    expect(await client.count(['logs'])).toBe(2);
  });
});

describe('cluster blocks', () => {
  it('unavailable: every API but GET / answers 503 cluster_block_exception, retryable for Vigil; lifted, all is back', async () => {
    cluster = await startTestCluster({ flavour: 'os3' });
    cluster.seed('logs', [{ level: 'ERROR' }]);
    const client = createSearchClient({ name: 'x', urls: [cluster.url] }, silentLogger());
    closers.push(() => client.close());
    cluster.setBlock('unavailable');
    const root = await fetch(cluster.url);
    expect(root.status).toBe(200);
    const err = await client.count(['logs']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ status: 503, type: 'cluster_block_exception', retryable: true });
    const raw = await fetch(`${cluster.url}/logs/_doc/1`);
    expect(await raw.json()).toEqual({
      error: {
        root_cause: [{ type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];' }],
        type: 'cluster_block_exception',
        reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];',
      },
      status: 503,
    });
    cluster.setBlock(undefined);
    expect(await client.count(['logs'])).toBe(1);
  });

  it('read_only: document writes answer 429 (per item in a bulk); reads go on', async () => {
    cluster = await startTestCluster({ flavour: 'es8' });
    cluster.seed('state', [{ _id: 'a', n: 1 }]);
    const es = new Client8({ node: cluster.url, maxRetries: 0 });
    closers.push(() => es.close());
    cluster.setBlock('read_only');
    const reason = 'index [state] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];';
    const single = (await es.index({ index: 'state', id: 'b', document: { n: 2 } }).catch((e: unknown) => e)) as { meta: { statusCode: number; body: { error: { type: string; reason: string } } } };
    expect(single.meta.statusCode).toBe(429);
    expect(single.meta.body.error).toMatchObject({ type: 'cluster_block_exception', reason });
    const bulk = await es.bulk({ operations: [{ delete: { _index: 'state', _id: 'a' } }, { index: { _index: 'state', _id: 'c' } }, { n: 3 }] });
    expect(bulk.errors).toBe(true);
    expect(bulk.items.map((i) => Object.values(i)[0]!.status)).toEqual([429, 429]);
    expect((await es.get({ index: 'state', id: 'a' }))._source).toEqual({ n: 1 });
    cluster.setBlock(undefined);
    expect((await es.index({ index: 'state', id: 'b', document: { n: 2 } })).result).toBe('created');
  });
});
