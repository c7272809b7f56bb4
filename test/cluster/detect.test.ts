/**
 * Detection from the root endpoint (every flavour, auth, TLS, failures) and the ClusterRegistry.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { createSearchClient, ClusterRegistry } from '../../src/cluster/index.ts';
import { detectCluster, parseRootInfo } from '../../src/cluster/detect.ts';
import { resolveConnection } from '../../src/cluster/connection.ts';
import { ClusterError } from '../../src/cluster/types.ts';
import { VigilError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { startTestCluster, type TestCluster } from './server.ts';
import { FLAVOUR_INFO, FLAVOURS } from './flavours.ts';

const logger = silentLogger();
const started: TestCluster[] = [];
async function cluster(opts: Parameters<typeof startTestCluster>[0]): Promise<TestCluster> {
  const c = await startTestCluster(opts);
  started.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(started.map((c) => c.close()));
});

describe('detection', () => {
  it.each(FLAVOURS)('%s: distribution, version, major and cluster name', async (flavour) => {
    const c = await cluster({ flavour, clusterName: `name-${flavour}` });
    const info = await detectCluster(resolveConnection({ name: 'x', urls: [c.url] }));
    const expected = FLAVOUR_INFO[flavour];
    expect(info).toEqual({ distribution: expected.distribution, version: expected.version, major: expected.major, clusterName: `name-${flavour}` });
  });

  it('is lazy and cached: one root request for many operations', async () => {
    const c = await cluster({ flavour: 'os3' });
    const client = createSearchClient({ name: 'x', urls: [c.url] }, logger);
    expect(c.requests).toHaveLength(0);
    await Promise.all([client.count(['a*']), client.count(['b*']), client.info()]);
    await client.count(['c*']);
    expect(c.requests.filter((r) => r.path === '/')).toHaveLength(1);
    await client.close();
  });

  it('a failed detection is retried on the next call', async () => {
    const c = await cluster({ flavour: 'es9' });
    let down = true;
    c.setFault(() => (down ? { status: 503, body: { error: { type: 'unavailable', reason: 'starting' }, status: 503 } } : undefined));
    const client = createSearchClient({ name: 'x', urls: [c.url] }, logger);
    const err = await client.info().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, retryable: true });
    down = false;
    expect((await client.info()).major).toBe(9);
    await client.close();
  });

  it('tries the next url when the first node is down', async () => {
    const dead = await startTestCluster({ flavour: 'es8' });
    await dead.close();
    const live = await cluster({ flavour: 'es8' });
    const info = await detectCluster(resolveConnection({ name: 'x', urls: [dead.url, live.url] }));
    expect(info.major).toBe(8);
  });

  it('sends credentials, and reports 401 as a non-retryable ClusterError', async () => {
    const c = await cluster({ flavour: 'es9', auth: { username: 'u', password: 'p4ssword' } });
    expect((await detectCluster(resolveConnection({ name: 'x', urls: [c.url], auth: { username: 'u', password: 'p4ssword' } }))).major).toBe(9);
    const err = await detectCluster(resolveConnection({ name: 'x', urls: [c.url] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ status: 401, type: 'security_exception', retryable: false });
  });

  it('refuses a root endpoint that is neither product', async () => {
    const c = await cluster({ flavour: 'es9' });
    c.setFault((r) => (r.path === '/' ? { status: 200, body: { hello: 'world' } } : undefined));
    const err = await detectCluster(resolveConnection({ name: 'x', urls: [c.url] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'product_not_supported', retryable: false });
  });

  it('parseRootInfo requires x-elastic-product for Elasticsearch 8+', () => {
    const body = { cluster_name: 'c', version: { number: '8.15.0' } };
    expect(parseRootInfo(body, {})).toBeUndefined();
    expect(parseRootInfo(body, { 'x-elastic-product': 'Elasticsearch' })).toMatchObject({ major: 8, distribution: 'elasticsearch' });
    expect(parseRootInfo({ version: { number: '2.17.1', distribution: 'opensearch' } }, {})).toMatchObject({ major: 2, distribution: 'opensearch' });
  });

  it('honours TLS settings: trusted with the CA, refused without it', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    for (const flavour of ['es9', 'os2'] as const) {
      const c = await cluster({ flavour, tls: { key: pems.private, cert: pems.cert } });
      expect(c.url.startsWith('https://')).toBe(true);
      const trusted = createSearchClient({ name: 'tls', urls: [c.url], tls: { ca: pems.cert } }, logger);
      expect((await trusted.info()).distribution).toBe(FLAVOUR_INFO[flavour].distribution);
      expect(await trusted.count(['nothing-*'])).toBe(0);
      await trusted.close();
      const untrusted = createSearchClient({ name: 'tls', urls: [c.url] }, logger);
      const err = await untrusted.info().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect(err).toMatchObject({ retryable: false });
      await untrusted.close();
    }
  });
});

describe('ClusterRegistry', () => {
  it('returns one cached client per name and lists configured names for unknown ones', async () => {
    const c = await cluster({ flavour: 'os2' });
    const registry = new ClusterRegistry(
      [
        { name: 'default', urls: [c.url] },
        { name: 'audit', urls: [c.url] },
      ],
      logger,
    );
    expect(registry.get('default')).toBe(registry.get('default'));
    expect(await registry.get('audit').count(['x*'])).toBe(0);
    const err = (() => {
      try {
        registry.get('nope');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(VigilError);
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect((err as Error).message).toContain('default, audit');
    await registry.closeAll();
  });

  it('rejects duplicate names and unparseable urls at construction, without echoing the url', () => {
    expect(() => new ClusterRegistry([{ name: 'a', urls: ['http://127.0.0.1:1'] }, { name: 'a', urls: ['http://127.0.0.1:2'] }], logger)).toThrow(VigilError);
    let err: unknown;
    try {
      new ClusterRegistry([{ name: 'b', urls: ['http://user:pw-secret@[bad'] }], logger);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(String((err as Error).message)).not.toContain('pw-secret');
  });

  it('a closed client refuses further work', async () => {
    const c = await cluster({ flavour: 'es8' });
    const client = createSearchClient({ name: 'x', urls: [c.url] }, logger);
    await client.count(['x*']);
    await client.close();
    await expect(client.count(['x*'])).rejects.toBeInstanceOf(VigilError);
  });
});
