import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { AuthProvider } from '../../src/security/types.ts';
import { captureLogger } from '../kit/log-capture.ts';

/** Everyone is "tester" with every permission: these tests are about the watch routes, not about RBAC. */
const allowAll: AuthProvider = { authenticate: async () => ({ name: 'tester', roles: ['admin'] }), authorize: () => true };

let dir: string;
let app: App;
let api: FastifyInstance;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
  const config = loadConfig({ env: {}, overrides: { data_dir: join(dir, 'data'), watches_dir: join(dir, 'watches'), accounts_dir: join(dir, 'accounts') } });
  app = await buildApp(config, { logger: captureLogger('warn').logger, env: {}, auth: allowAll });
  await app.start();
  api = app.server;
});
afterAll(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

const watch = {
  trigger: { schedule: { interval: '1h' } },
  checks: [{ type: 'condition', name: 'high', lang: 'cel', source: 'data.n > 3' }],
  actions: [{ type: 'log', name: 'say', text: 'n is {{data.n}}' }, { type: 'log', name: 'quiet', text: 'x', ack_enabled: false }],
};

describe('watch API', () => {
  it('answers a change only once the state store has made it durable; a read does not wait for the disk', async () => {
    const pending: Array<() => void> = [];
    const original = app.store.durable;
    app.store.durable = () => new Promise<void>((resolve) => pending.push(resolve));
    try {
      let answered = false;
      const put = api.inject({ method: 'PUT', url: '/_signals/watch/_main/durable1', payload: watch }).then((r) => ((answered = true), r));
      await vi.waitFor(() => expect(pending.length).toBeGreaterThan(0));
      expect(answered).toBe(false);
      for (let i = 0; i < 1000 && !answered; i++) {
        pending.splice(0).forEach((resolve) => resolve());
        await new Promise((r) => setImmediate(r));
      }
      expect((await put).statusCode).toBe(201);
      const get = await api.inject({ method: 'GET', url: '/_signals/watch/_main/durable1' });
      expect(get.statusCode).toBe(200);
      expect(pending).toHaveLength(0);
    } finally {
      app.store.durable = original;
    }
  });

  it('PUT creates the file (201) and updates it (200); GET returns the source; invalid → 400 with paths', async () => {
    let res = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/api1', payload: watch });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ _id: 'api1', result: 'created' });
    expect(existsSync(join(dir, 'watches', 'api1.json'))).toBe(true);
    res = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/api1', payload: watch });
    expect(res.statusCode).toBe(200);
    res = await api.inject({ method: 'GET', url: '/_signals/watch/_main/api1' });
    expect(res.json()).toMatchObject({ _id: 'api1', found: true, _source: watch });

    res = await api.inject({ method: 'PUT', url: '/_signals/watch/team/bad', payload: { ...watch, trigger: { schedule: { interval: '0' } }, extra: 1 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toMatch(/^Watch is invalid: \d+ errors?; see detail\.$/);
    expect(Object.keys(body.detail)).toEqual(expect.arrayContaining(['extra', 'trigger.schedule.interval']));
    expect(existsSync(join(dir, 'watches', 'team', 'bad.json'))).toBe(false);
  });

  it('rejects a watch whose action refers to an account that cannot be used, naming the field', async () => {
    const res = await api.inject({
      method: 'PUT', url: '/_signals/watch/_main/needs-account',
      payload: { ...watch, actions: [{ type: 'slack', name: 'chat', account: 'ops', text: 'hi' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().detail)).toEqual(['actions[0].account']);
    expect(existsSync(join(dir, 'watches', 'needs-account.json'))).toBe(false);
  });

  it('rejects odd ids without touching files, and does not pollute prototypes', async () => {
    // A bare dot segment is resolved away by the router ("no route", 404); an encoded slash reaches the id check (400).
    expect((await api.inject({ method: 'PUT', url: '/_signals/watch/_main/%2e%2e', payload: watch })).statusCode).toBe(404);
    expect((await api.inject({ method: 'PUT', url: '/_signals/watch/_main/..%2F..%2Fetc', payload: watch })).statusCode).toBe(400);
    for (const id of ['__proto__', 'constructor', 'a%00b', 'a.b', 'x'.repeat(200)]) {
      const res = await api.inject({ method: 'PUT', url: `/_signals/watch/_main/${id}`, payload: watch });
      expect(res.statusCode).toBe(400);
      for (const url of [`/_signals/watch/${id}/x`, `/_signals/watch/_main/${id}/_state`, `/_signals/watch/${id}/_search`]) {
        expect((await api.inject({ method: url.endsWith('x') ? 'PUT' : 'GET', url, payload: url.endsWith('x') ? watch : undefined })).statusCode).toBe(400);
      }
    }
    expect(existsSync(join(dir, 'watches', '__proto__.json'))).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('executes a stored watch (simulate, input) and an inline one; 422 with the log when it fails', async () => {
    let res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/api1/_execute', payload: { simulate: true, input: { n: 5 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.code).toBe('SIMULATED_ACTION_EXECUTED');
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_execute', payload: { watch: { ...watch, checks: [{ type: 'transform', name: 'bad', lang: 'cel', source: 'data.missing.x' }] } } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ status: { code: 'EXECUTION_FAILED' }, error: { check: 'bad' } });
    // As in Signals, a watch without a schedule is valid (it runs on demand); one whose schedule has no kind is not.
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_execute', payload: { watch: { trigger: {} } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.code).toBe('NO_ACTION');
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_execute', payload: { watch: { trigger: { schedule: {} } } } });
    expect(res.statusCode).toBe(400);
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/api1/_execute', payload: { bogus: true } });
    expect(res.statusCode).toBe(400);
  });

  it('acks: 412 before a positive check, 400 for ack_enabled false, then ACKED; state shows it', async () => {
    let res = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/api1/_ack/say' });
    expect(res.statusCode).toBe(412);
    await api.inject({ method: 'POST', url: '/_signals/watch/_main/api1/_execute', payload: { input: { n: 5 }, record_execution: true } });
    res = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/api1/_ack/quiet' });
    expect(res.statusCode).toBe(400);
    res = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/api1/_ack' });
    expect(res.json()).toEqual({ status: 200, acked: ['say'] });
    res = await api.inject({ method: 'GET', url: '/_signals/watch/_main/api1/_state' });
    expect(res.json().actions.say.acked).toMatchObject({ by: 'tester' });
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/api1/_execute', payload: { input: { n: 5 }, record_execution: true } });
    expect(res.json().actions[0].status.code).toBe('ACKED');
    res = await api.inject({ method: 'DELETE', url: '/_signals/watch/_main/api1/_ack/say' });
    expect(res.json()).toEqual({ status: 200, unacked: ['say'] });
  });

  it('deactivates and reactivates; searches; deletes', async () => {
    const shown = async () => ({
      get: (await api.inject({ method: 'GET', url: '/_signals/watch/_main/api1' })).json().active,
      search: (await api.inject({ method: 'POST', url: '/_signals/watch/_main/_search', payload: { size: 100 } })).json().hits.hits.find((x: { _id: string }) => x._id === 'api1')?.active,
    });
    expect(await shown()).toEqual({ get: true, search: true });
    expect((await api.inject({ method: 'DELETE', url: '/_signals/watch/_main/api1/_active' })).statusCode).toBe(200);
    expect(app.scheduler.has('_main/api1')).toBe(false);
    // GET and _search show what is in effect, not the file's own `active`.
    expect(await shown()).toEqual({ get: false, search: false });
    expect((await api.inject({ method: 'PUT', url: '/_signals/watch/_main/api1/_active' })).statusCode).toBe(200);
    expect(app.scheduler.has('_main/api1')).toBe(true);
    expect(await shown()).toEqual({ get: true, search: true });
    const found = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_search', payload: { size: 5 } });
    expect(found.json().hits.hits.map((h: { _id: string }) => h._id)).toContain('api1');
    // A Signals query is refused with its path, not dropped (which listed every watch as a match).
    const queried = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_search', payload: { query: { match: { _name: 'nothing' } } } });
    expect(queried.statusCode).toBe(400);
    expect(queried.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: { query: [{ error: expect.stringContaining('by id, paged with from and size') }] } });
    const badSize = await api.inject({ method: 'GET', url: '/_signals/watch/_main/_search?size=-1&colour=red' });
    expect(badSize.statusCode).toBe(400);
    expect(Object.keys(badSize.json().detail).sort()).toEqual(['colour', 'size']);
    const none = await api.inject({ method: 'GET', url: '/_signals/watch/_main/_search?size=0' });
    expect(none.json().hits).toMatchObject({ hits: [], total: { value: expect.any(Number) } });
    expect((await api.inject({ method: 'DELETE', url: '/_signals/watch/_main/api1' })).statusCode).toBe(200);
    expect((await api.inject({ method: 'GET', url: '/_signals/watch/_main/api1' })).statusCode).toBe(404);
    expect(existsSync(join(dir, 'watches', 'api1.json'))).toBe(false);
  });

  it('answers health without authentication, metrics in Prometheus text, and JSON errors for unknown routes', async () => {
    const health = await api.inject({ method: 'GET', url: '/_vigil/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: expect.stringMatching(/green|yellow/) });
    const metrics = await api.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/vigil_watch_runs_total/);
    const nf = await api.inject({ method: 'GET', url: '/nope' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toMatchObject({ status: 404 });
  });

  it('checkpoints the state database after writes and counts it in the metrics', async () => {
    const count = async () => Number(/^vigil_state_checkpoint_seconds_count (\d+)$/m.exec((await api.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
    const before = await count();
    await app.store.kv.put('checkpoint-metric', { written: true });
    // The worker checkpoints at most once a second, on its own (real) clock.
    await vi.waitFor(async () => expect(await count()).toBeGreaterThan(before), { timeout: 5000, interval: 50 });
  });

  it('GET of a watch whose file is not JSON answers its load error with the parse position, not a 500', async () => {
    expect((await api.inject({ method: 'PUT', url: '/_signals/watch/_main/corrupt1', payload: watch })).statusCode).toBe(201);
    const file = join(dir, 'watches', 'corrupt1.json');
    // Corrupted on disk, before the service has re-read it, then after.
    writeFileSync(file, '{"trigger": {"schedule": {"interval": "1h"}},\n  "checks": [}\n');
    for (const reread of [false, true]) {
      if (reread) await app.watches.reload({ tenant: '_main', id: 'corrupt1' });
      const res = await api.inject({ method: 'GET', url: '/_signals/watch/_main/corrupt1' });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body).toMatchObject({ status: 400, code: 'INVALID_WATCH', error: 'Watch is invalid: 1 error; see detail.' });
      expect(body.detail['_'][0].error).toBe('invalid JSON: value expected at line 2 column 14 (position 59)');
      expect(res.body).not.toContain(dir);
    }
    // Valid JSON that is not a valid watch still shows its source with the errors.
    writeFileSync(file, JSON.stringify({ ...watch, extra: true }));
    await app.watches.reload({ tenant: '_main', id: 'corrupt1' });
    const res = await api.inject({ method: 'GET', url: '/_signals/watch/_main/corrupt1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ found: true, _source: { extra: true }, errors: { extra: expect.any(Array) } });
    // Gone from disk since it was loaded: not found.
    rmSync(file);
    expect((await api.inject({ method: 'GET', url: '/_signals/watch/_main/corrupt1' })).statusCode).toBe(404);
  });

  it('takes Content-Type: application/json with an empty body as no body where a route takes none', async () => {
    const json = { 'content-type': 'application/json' };
    const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string) => api.inject({ method, url, headers: json, payload: '' });
    const selfContained = { ...watch, checks: [{ type: 'static', name: 'n', value: { n: 5 } }, ...watch.checks] };
    expect((await api.inject({ method: 'PUT', url: '/_signals/watch/_main/empty1', payload: selfContained })).statusCode).toBe(201);
    expect((await call('GET', '/_signals/watch/_main/empty1')).statusCode).toBe(200);
    const run = await call('POST', '/_signals/watch/_main/empty1/_execute');
    expect(run.statusCode).toBe(200);
    expect(run.json().status.code).toBe('ACTION_EXECUTED');
    expect((await call('DELETE', '/_signals/watch/_main/empty1/_active')).json()).toEqual({ status: 200, active: false });
    expect((await call('PUT', '/_signals/watch/_main/empty1/_active')).json()).toEqual({ status: 200, active: true });
    expect((await call('POST', '/_signals/watch/_main/_search')).statusCode).toBe(200);
    expect((await call('GET', '/_signals/watch/_main/empty1/_state')).statusCode).toBe(200);
    expect((await call('DELETE', '/_signals/watch/_main/empty1')).json()).toEqual({ _id: 'empty1', result: 'deleted' });
    // A route that needs a body still refuses an empty one, saying what is missing.
    const put = await call('PUT', '/_signals/watch/_main/empty2');
    expect(put.statusCode).toBe(400);
    expect(put.json().code).toBe('INVALID_WATCH');
    expect(existsSync(join(dir, 'watches', 'empty2.json'))).toBe(false);
    const inline = await call('POST', '/_signals/watch/_main/_execute');
    expect(inline.statusCode).toBe(400);
    expect(Object.keys(inline.json().detail)).toEqual(['watch']);
    // Broken JSON is still broken JSON.
    const broken = await api.inject({ method: 'DELETE', url: '/_signals/watch/_main/x', headers: json, payload: '{' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('INVALID_REQUEST');
  });

  it('refuses deeply nested and oversized bodies', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const res = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/deep', payload: deep, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    const big = await api.inject({ method: 'PUT', url: '/_signals/watch/_main/big', payload: JSON.stringify({ x: 'a'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
  });
});
