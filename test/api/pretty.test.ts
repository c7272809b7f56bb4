/**
 * `?pretty` as Elasticsearch answers it: indented JSON, taken off the query before a route reads it
 * (routes that refuse unknown parameters accept it), `?pretty=false` compact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAdminHarness, type AdminHarness } from './harness.ts';

let h: AdminHarness;
const watch = { trigger: { schedule: { interval: '1d' } }, checks: [], actions: [{ type: 'log', name: 'note', text: 'hi' }] };

beforeAll(async () => {
  h = await startAdminHarness();
  expect((await h.call({ method: 'PUT', url: '/_signals/watch/_main/w?pretty', headers: h.admin, payload: watch })).statusCode).toBe(201);
});
afterAll(() => h?.close());

it('indents the answer of a plain read and keeps it the same document', async () => {
  const plain = await h.call({ method: 'GET', url: '/_signals/watch/_main/w', headers: h.admin });
  const pretty = await h.call({ method: 'GET', url: '/_signals/watch/_main/w?pretty', headers: h.admin });
  expect(pretty.statusCode).toBe(200);
  expect(plain.body).not.toContain('\n');
  expect(pretty.body).toMatch(/^\{\n {2}"/);
  expect(pretty.json()).toEqual(plain.json());
});

it('is accepted by routes that refuse unknown query parameters, and indents their errors too', async () => {
  const run = await h.call({ method: 'POST', url: '/_signals/watch/_main/w/_execute?pretty=true', headers: h.admin, payload: { simulate: true } });
  expect(run.statusCode, run.body).toBe(200);
  expect(run.body).toContain('\n  "');
  const history = await h.call({ method: 'GET', url: '/_vigil/watch/_main/w/_history?pretty&size=1', headers: h.admin });
  expect(history.statusCode, history.body).toBe(200);
  const bad = await h.call({ method: 'POST', url: '/_signals/watch/_main/w/_execute?pretty&simulate=true', headers: h.admin, payload: {} });
  expect(bad.statusCode).toBe(400);
  expect(bad.body).toContain('\n  "');
  expect(bad.json<{ detail: Record<string, unknown> }>().detail).toHaveProperty(['?simulate']);
});

it('?pretty=false answers compact JSON', async () => {
  const res = await h.call({ method: 'GET', url: '/_signals/watch/_main/w?pretty=false', headers: h.admin });
  expect(res.statusCode).toBe(200);
  expect(res.body).not.toContain('\n');
});
