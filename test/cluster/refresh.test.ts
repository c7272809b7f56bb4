/**
 * Time in the test cluster, driven by a FakeClock: periodic refresh at `index.refresh_interval` (1 s
 * by default, -1 never), `refresh=wait_for` answering at the next refresh, delete tombstones collected
 * after 60 s, and points in time and scrolls expiring after their keep_alive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../kit/fake-clock.ts';
import { startTestCluster, type TestCluster } from './server.ts';
import { Store } from './store.ts';
import { SearchContexts } from './contexts.ts';

let cluster: TestCluster;
let clock: FakeClock;
afterEach(() => cluster.close());

async function start(): Promise<void> {
  clock = new FakeClock();
  cluster = await startTestCluster({ flavour: 'es9', clock });
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(cluster.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const hits = async (index: string) => (await call('POST', `/${index}/_search`, { query: { match_all: {} } })).body.hits.total.value as number;

describe('refresh', () => {
  it('a write becomes searchable at the next periodic refresh (1 s from the index creation by default); GET sees it at once', async () => {
    await start();
    expect((await call('PUT', '/state/_doc/1', { n: 1 })).status).toBe(201);
    expect((await call('GET', '/state/_doc/1')).body.found).toBe(true);
    expect(await hits('state')).toBe(0);
    await clock.advance(999);
    expect(await hits('state')).toBe(0);
    await clock.advance(1);
    expect(await hits('state')).toBe(1);
    // The next write waits for the next tick of the same schedule, not a full second from itself.
    await clock.advance(700);
    await call('PUT', '/state/_doc/2', { n: 2 });
    await clock.advance(299);
    expect(await hits('state')).toBe(1);
    await clock.advance(1);
    expect(await hits('state')).toBe(2);
  });

  it('index.refresh_interval sets the period; -1 leaves it to _refresh', async () => {
    await start();
    await call('PUT', '/slow', { settings: { index: { refresh_interval: '5s' } } });
    await call('PUT', '/manual', { settings: { index: { refresh_interval: '-1' } } });
    await call('PUT', '/slow/_doc/1', { n: 1 });
    await call('PUT', '/manual/_doc/1', { n: 1 });
    await clock.advance(4999);
    expect(await hits('slow')).toBe(0);
    await clock.advance(1);
    expect(await hits('slow')).toBe(1);
    await clock.advance(600_000);
    expect(await hits('manual')).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    expect((await call('POST', '/manual/_refresh')).status).toBe(200);
    expect(await hits('manual')).toBe(1);
  });

  it('refresh=wait_for answers only once the next refresh has made the write searchable', async () => {
    await start();
    await call('PUT', '/state', {});
    let answered = false;
    const pending = call('PUT', '/state/_doc/1?refresh=wait_for', { n: 1 }).then((r) => {
      answered = true;
      return r;
    });
    // Once the cluster has received it, a later request's whole round trip passes without an answer to the first.
    for (let i = 0; i < 1000 && !cluster.requests.some((r) => r.path === '/state/_doc/1'); i++) await new Promise((r) => setImmediate(r));
    await call('GET', '/');
    expect(answered).toBe(false);
    await clock.advance(1000);
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.body.forced_refresh).toBeUndefined();
    expect(await hits('state')).toBe(1);
  });

  it('a deleted document keeps its version for 60 s (index.gc_deletes); after that a new one starts at 1', async () => {
    await start();
    await call('PUT', '/state/_doc/1', { n: 1 });
    expect((await call('DELETE', '/state/_doc/1')).body._version).toBe(2);
    expect((await call('PUT', '/state/_doc/1', { n: 2 })).body._version).toBe(3);
    await call('DELETE', '/state/_doc/1');
    await clock.advance(60_000);
    expect((await call('PUT', '/state/_doc/1', { n: 3 })).body._version).toBe(1);
  });

  it('a point in time and a scroll expire keep_alive after their last use', async () => {
    await start();
    await call('PUT', '/state/_doc/1?refresh=true', { n: 1 });
    const pit = (await call('POST', '/state/_pit?keep_alive=1m')).body.id as string;
    const scroll = (await call('POST', '/state/_search?scroll=30s', { size: 0 })).body._scroll_id as string;
    await clock.advance(50_000);
    // Each use extends a context by its keep_alive.
    expect((await call('POST', '/_search', { pit: { id: pit, keep_alive: '1m' } })).status).toBe(200);
    await clock.advance(50_000);
    expect((await call('POST', '/_search', { pit: { id: pit } })).status).toBe(200);
    const expired = await call('POST', '/_search/scroll', { scroll_id: scroll });
    expect(expired.status).toBe(404);
    expect(expired.body.error.root_cause[0].type).toBe('search_context_missing_exception');
    await clock.advance(60_000);
    const gone = await call('POST', '/_search', { pit: { id: pit } });
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ type: 'search_phase_execution_exception', reason: 'all shards failed', caused_by: { type: 'search_context_missing_exception' } });
  });

  it('expired contexts and tombstones nobody looks at again are collected, so long runs hold no more than they use', async () => {
    const fake = new FakeClock();
    const contexts = new SearchContexts(fake);
    for (let i = 0; i < 3; i++) contexts.openPit([], 1000);
    await fake.advance(1000);
    contexts.openPit([], 1000);
    expect(contexts.size).toBe(1);

    const store = new Store({ distribution: 'opensearch', clock: fake });
    store.createIndex('t');
    for (let i = 0; i < 1024; i++) store.delete('t', `a${i}`);
    await fake.advance(60_000);
    for (let i = 0; i < 1024; i++) store.delete('t', `b${i}`);
    expect(store.get('t').tombstones.size).toBe(1024);
  });
});
