/**
 * `GET /_vigil/watch/{tenant}/{id}/_history`: a watch's execution log over REST, newest first, paged,
 * filtered by status, time and action, permission-checked per tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startHarness, type Harness } from './harness.ts';
import { FakeClock } from '../kit/fake-clock.ts';

const watch = {
  trigger: { schedule: { interval: '1d' } },
  checks: [{ type: 'condition', name: 'high', lang: 'cel', source: 'data.n > 3' }],
  actions: [{ type: 'log', name: 'note', text: 'n={{data.n}}' }],
};

let h: Harness;
let admin: Record<string, string>;
const clock = new FakeClock('2026-03-01T10:00:00Z');
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({ clock });
  admin = { authorization: bearer(await h.tokenFor('adm', ['admin'])) };
  expect((await h.call({ method: 'PUT', url: '/_signals/watch/_main/w', headers: admin, payload: watch })).statusCode).toBe(201);
  const run = async (name: string, input: unknown) => {
    const res = await h.call({ method: 'POST', url: '/_signals/watch/_main/w/_execute', headers: admin, payload: { input, record_execution: true } });
    ids[name] = res.json<{ id: string }>().id;
    await clock.advance(60_000);
  };
  await run('fired', { n: 5 }); // 10:00 ACTION_EXECUTED
  await run('quiet', { n: 1 }); // 10:01 NO_ACTION
  await run('broken', { n: 'x' }); // 10:02 EXECUTION_FAILED
  await run('again', { n: 9 }); // 10:03 ACTION_EXECUTED
});
afterAll(() => h?.close());

const history = async (query = '', headers = admin) => h.call({ method: 'GET', url: `/_vigil/watch/_main/w/_history${query}`, headers });
const hitIds = async (query = '') => {
  const res = await history(query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ hits: { hits: Array<{ _id: string }> } }>().hits.hits.map((x) => x._id);
};

describe('watch history over REST', () => {
  it('lists Signals log documents newest first, paged with from and size', async () => {
    expect(await hitIds()).toEqual([ids.again, ids.broken, ids.quiet, ids.fired]);
    expect(await hitIds('?from=1&size=2')).toEqual([ids.broken, ids.quiet]);
    const doc = (await history('?size=1')).json<{ hits: { hits: Array<{ _source: Record<string, unknown> }> } }>().hits.hits[0]!._source;
    expect(doc).toMatchObject({ tenant: '_main', watch_id: 'w', status: { code: 'ACTION_EXECUTED' }, actions: [{ name: 'note', status: { code: 'ACTION_EXECUTED' } }] });
    expect(doc).toHaveProperty('execution_start');
    expect(doc).toHaveProperty('execution_end');
  });

  it('filters by status (one or several), time range and action', async () => {
    expect(await hitIds('?status=EXECUTION_FAILED')).toEqual([ids.broken]);
    expect(await hitIds('?status=NO_ACTION,EXECUTION_FAILED')).toEqual([ids.broken, ids.quiet]);
    expect(await hitIds('?since=2026-03-01T10:01:00Z&until=2026-03-01T10:03:00Z')).toEqual([ids.broken, ids.quiet]);
    expect(await hitIds('?action=note&status=ACTION_EXECUTED')).toEqual([ids.again, ids.fired]);
    expect(await hitIds('?action=nope')).toEqual([]);
  });

  it('refuses a bad or unknown parameter with its name', async () => {
    for (const [q, path] of [['?status=WHATEVER', 'status'], ['?since=yesterday-ish', 'since'], ['?size=5000', 'size'], ['?sort=asc', '_']] as const) {
      const res = await history(q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(JSON.stringify(res.json().detail), q).toContain(path === '_' ? 'sort' : path);
    }
    expect((await h.call({ method: 'GET', url: '/_vigil/watch/_main/..%2Fx/_history', headers: admin })).statusCode).toBe(400);
  });

  it('needs watch:read in the watch tenant', async () => {
    const viewer = { authorization: bearer(await h.tokenFor('v', ['viewer'])) };
    expect((await history('', viewer)).statusCode).toBe(200);
    await h.security.directory.write([{ kind: 'roles', name: 'team_b', value: { cluster_permissions: [], index_permissions: [], tenant_permissions: [{ tenant_patterns: ['team_b'], allowed_actions: ['watch:*'] }] } }]);
    const other = { authorization: bearer(await h.tokenFor('tb', ['team_b'])) };
    expect((await history('', other)).statusCode).toBe(403);
    expect((await history('', {})).statusCode).toBe(401);
  });
});
