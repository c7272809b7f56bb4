/**
 * `_cat/indices` computes the store size (every refreshed source serialised) only for the columns that
 * show it, and once per refreshed view: the state backend lists its growing log indices with
 * `h=index,docs.count`, which must not cost a pass over their documents.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { startTestCluster, type TestCluster } from './server.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function cat(c: TestCluster, query: string): Promise<Array<Record<string, string>>> {
  const res = await fetch(`${c.url}/_cat/indices/sized?format=json${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Array<Record<string, string>>;
}

describe('test cluster _cat/indices', () => {
  it('serialises the documents only for the size columns, once per refresh', async () => {
    const c = (cluster = await startTestCluster({ flavour: 'es9' }));
    let serialised = 0;
    // A source that counts how often it is serialised (non-enumerable, so mapping never sees it).
    const counted = (n: number) => Object.defineProperty({ n }, 'toJSON', { value: () => (serialised++, { n }) });
    const add = (n: number) => {
      c.store.write('sized', String(n), counted(n));
      c.refresh();
    };
    add(1);

    expect(await cat(c, '&h=index,docs.count')).toEqual([{ index: 'sized', 'docs.count': '1' }]);
    expect(serialised).toBe(0);

    const [row] = await cat(c, '');
    expect(row).toMatchObject({ index: 'sized', 'docs.count': '1', 'store.size': '225b', 'pri.store.size': '225b' });
    expect(serialised).toBe(1);
    await cat(c, '&h=store.size');
    expect(serialised).toBe(1);

    // A refresh that changed the view measures it again, with the new document.
    add(2);
    expect(await cat(c, '&h=docs.count,store.size')).toEqual([{ 'docs.count': '2', 'store.size': '225b' }]);
    expect(serialised).toBe(3);
  });
});
