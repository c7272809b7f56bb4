import { describe, it, expect, afterEach } from 'vitest';
import { startTestCluster, type TestCluster } from './server.ts';
import { FakeClock } from '../kit/fake-clock.ts';

const clusters: TestCluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.close()));
});

async function start(requestCache: boolean, clock?: FakeClock): Promise<TestCluster> {
  const c = await startTestCluster({ flavour: 'es9', requestCache, clock });
  clusters.push(c);
  c.seed('logs', [{ level: 'ERROR' }, { level: 'INFO' }]);
  return c;
}

async function total(c: TestCluster, body: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${c.url}/logs/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await res.json()) as { hits: { total: { value: number } } }).hits.total.value;
}

const sizeZero = { size: 0, track_total_hits: true, query: { match_all: {} } };

describe('test cluster request cache (benchmarks)', () => {
  it('answers a repeated size:0 search from the cache until a request that may write arrives', async () => {
    const c = await start(true);
    expect(await total(c, sizeZero)).toBe(2);
    // Behind the HTTP API's back (written, and made searchable without the refresh notification): only a cached answer still says 2.
    c.store.write('logs', undefined, { level: 'WARN' });
    c.store.get('logs').refresh();
    expect(await total(c, sizeZero)).toBe(2);
    const res = await fetch(`${c.url}/logs/_doc?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"level":"DEBUG"}' });
    expect(res.status).toBe(201);
    expect(await total(c, sizeZero)).toBe(4);
  });

  it('never caches searches that return hits or use now, nor anything when off', async () => {
    const c = await start(true);
    const withHits = { query: { match_all: {} } };
    const withNow = { size: 0, track_total_hits: true, query: { range: { '@timestamp': { lte: 'now' } } } };
    await total(c, withHits);
    await total(c, withNow);
    c.store.write('logs', undefined, { level: 'WARN', '@timestamp': '2020-01-01T00:00:00Z' });
    c.refresh();
    expect(await total(c, withHits)).toBe(3);
    expect(await total(c, withNow)).toBe(1);

    const off = await start(false);
    expect(await total(off, sizeZero)).toBe(2);
    off.store.write('logs', undefined, { level: 'WARN' });
    off.refresh();
    expect(await total(off, sizeZero)).toBe(3);
  });

  it('a periodic refresh empties the cache: what searches find changed without a request', async () => {
    const clock = new FakeClock();
    const c = await start(true, clock);
    const write = await fetch(`${c.url}/logs/_doc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"level":"DEBUG"}' });
    expect(write.status).toBe(201);
    // Not refreshed yet: the answer (2) is computed and cached.
    expect(await total(c, sizeZero)).toBe(2);
    await clock.advance(1000);
    expect(await total(c, sizeZero)).toBe(3);
  });
});
