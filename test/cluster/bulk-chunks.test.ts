/**
 * A long `_bulk` is applied in chunks with yields between them, so searches queued behind it are
 * answered in between (as a real node's search threads run beside its write threads); its items keep
 * their order, their own results and errors, and each sees every item applied before it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { FakeClock } from '../kit/fake-clock.ts';
import { Store } from './store.ts';
import { BULK_CHUNK, bulk } from './bulk.ts';
import { startTestCluster, type TestCluster } from './server.ts';

const ndjson = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const indexItems = (n: number) => Array.from({ length: n }, (_, i) => [{ index: { _index: 'b', _id: `d${i}` } }, { i }]).flat();

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('test cluster _bulk in chunks', () => {
  it('applies a short bulk at once, a long one a chunk at a time, letting another write in between', async () => {
    const store = new Store({ distribution: 'elasticsearch', clock: new FakeClock() });
    const short = bulk(store, undefined, ndjson(indexItems(BULK_CHUNK)), new URLSearchParams(), 0);
    expect(short).not.toBeInstanceOf(Promise);
    expect(store.get('b').docs.size).toBe(BULK_CHUNK);

    const n = 3 * BULK_CHUNK + 5;
    const long = bulk(store, undefined, ndjson([...indexItems(n), { create: { _index: 'b', _id: 'late' } }, { n: 1 }]), new URLSearchParams(), 0);
    expect(long).toBeInstanceOf(Promise);
    // The first chunk is in (overwriting the short bulk's documents); the rest waits for the event loop.
    expect(store.get('b').docs.get(`d${BULK_CHUNK - 1}`)!.version).toBe(2);
    expect(store.get('b').docs.has(`d${BULK_CHUNK}`)).toBe(false);
    // Another request's write lands between two chunks, before the bulk's own create of the same id.
    store.write('b', 'late', { other: true });
    const { body } = await long;
    const items = body.items.map((it) => Object.values(it)[0]!) as estypes.BulkResponseItem[];
    expect(items).toHaveLength(n + 1);
    expect(items.slice(0, n).map((it) => it._id)).toEqual(Array.from({ length: n }, (_, i) => `d${i}`));
    const seqNos = items.slice(0, n).map((it) => it._seq_no!);
    expect(seqNos.every((s, i) => i === 0 || s > seqNos[i - 1]!)).toBe(true);
    // The interleaved write took a seq_no between the first two chunks, and the create conflicts with it.
    expect(seqNos[BULK_CHUNK]! - seqNos[BULK_CHUNK - 1]!).toBe(2);
    expect(items[n]).toMatchObject({ _id: 'late', status: 409, error: { type: 'version_conflict_engine_exception' } });
    expect(body.errors).toBe(true);
    expect(store.get('b').docs.size).toBe(n + 1);
  });

  it('answers a long bulk over HTTP whole: every item, refresh=true applied after the last chunk', async () => {
    const c = (cluster = await startTestCluster({ flavour: 'es9' }));
    const n = 2 * BULK_CHUNK + 3;
    const res = await fetch(`${c.url}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(indexItems(n)) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as estypes.BulkResponse;
    expect(body.errors).toBe(false);
    expect(body.items).toHaveLength(n);
    expect(body.items.every((it) => it.index?.forced_refresh === true && it.index.status === 201)).toBe(true);
    const count = await fetch(`${c.url}/b/_count`);
    expect(((await count.json()) as { count: number }).count).toBe(n);
  });
});
