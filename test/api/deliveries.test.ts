/**
 * Deliveries over REST: pending and failed outbox entries listed with their attempts, last error and
 * next attempt; a pending one retried now or discarded while it waits between attempts; a failed one
 * requeued; all permission-checked in the entry's tenant and audited.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, startHarness, type Harness } from './harness.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';

let h: Harness;
let hook: WebhookReceiver;
let admin: Record<string, string>;
const clock = new FakeClock('2026-03-01T10:00:00Z');
let n = 0;

beforeAll(async () => {
  h = await startHarness({ clock, egressAllow: ['127.0.0.1'] });
  admin = { authorization: bearer(await h.tokenFor('adm', ['admin'])) };
});
afterAll(() => h?.close());
beforeEach(async () => {
  hook = await startWebhookReceiver();
});
afterEach(() => hook.close());

/** Stores a log delivery that already failed (`attempts` made, `error` the last), as the outbox keeps it. */
async function failedLogDelivery(e: { key: string; tenant: string; watchId: string; action: string; text: string; error: string; attempts: number }): Promise<void> {
  const now = clock.now();
  const notification = { kind: 'fire', request: { level: 'info', text: e.text }, summary: e.text, destination: 'log' };
  await h.app.store.outbox.enqueue({ key: e.key, tenant: e.tenant, watchId: e.watchId, action: e.action, actionType: 'log', accountId: null, episodeKey: 'e', notification, createdAt: now, deadline: now + 60_000, nextAttemptAt: now });
  await h.app.store.outbox.markFailed(e.key, e.error, now, e.attempts);
}

/** A watch posting to the receiver, executed (not awaited): its delivery fails with 503 (`failures` times) and waits to retry. */
async function deliveryWaitingToRetry(failures = 1): Promise<{ id: string; executed: Promise<{ json<T>(): T }> }> {
  const name = `w${++n}`;
  const body = {
    trigger: { schedule: { interval: '1d' } },
    checks: [],
    actions: [{ type: 'webhook', name: 'hook', request: { method: 'POST', url: `${hook.url}/in`, body: 'hello' } }],
  };
  expect((await h.call({ method: 'PUT', url: `/_signals/watch/_main/${name}`, headers: admin, payload: body })).statusCode).toBe(201);
  hook.fault(...Array.from({ length: failures }, () => ({ status: 503 })));
  const executed = h.call({ method: 'POST', url: `/_signals/watch/_main/${name}/_execute`, headers: admin, payload: {} });
  let id = '';
  await expect
    .poll(async () => {
      const list = (await h.call({ method: 'GET', url: `/_vigil/deliveries?state=pending&watch=${name}`, headers: admin })).json<{ deliveries: Array<{ id: string; attempts: number }> }>();
      id = list.deliveries[0]?.id ?? '';
      return list.deliveries[0]?.attempts;
    }, { interval: 20, timeout: 5000 })
    .toBe(1);
  return { id, executed };
}

describe('deliveries over REST', () => {
  it('lists a pending delivery with its attempts, last error and next attempt, and retries it now', async () => {
    const { id, executed } = await deliveryWaitingToRetry();
    const [d] = (await h.call({ method: 'GET', url: '/_vigil/deliveries?state=pending', headers: admin })).json<{ deliveries: Array<Record<string, unknown>> }>().deliveries;
    expect(d).toMatchObject({ id, tenant: '_main', action: 'hook', action_type: 'webhook', status: 'pending', attempts: 1, finished_at: null });
    expect(d!.last_error).toMatch(/HTTP_5XX/);
    expect(Date.parse(d!.next_attempt_at as string)).toBeGreaterThan(clock.now());
    expect(d).not.toHaveProperty('notification');
    // The clock does not move: only the retry makes the second attempt.
    const res = await h.call({ method: 'POST', url: `/_vigil/deliveries/${encodeURIComponent(id)}/_retry`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'retrying' });
    const rec = (await executed).json<{ actions: Array<{ status: { code: string }; delivery: { attempts: number } }> }>();
    expect(rec.actions[0]).toMatchObject({ status: { code: 'ACTION_EXECUTED' }, delivery: { attempts: 2 } });
    expect(await h.app.store.outbox.get(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(hook.requests).toHaveLength(2);
  });

  it('discards a pending delivery: no further attempt, the run reports it, the entry is cancelled', async () => {
    const { id, executed } = await deliveryWaitingToRetry(3);
    const res = await h.call({ method: 'DELETE', url: `/_vigil/deliveries/${encodeURIComponent(id)}`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'cancelled', delivery: { id, status: 'cancelled', last_error: 'discarded through the API by adm' } });
    const rec = (await executed).json<{ actions: Array<{ status: { code: string }; error: { detail: string } }> }>();
    expect(rec.actions[0]).toMatchObject({ status: { code: 'ACTION_FAILED' }, error: { detail: 'CANCELLED' } });
    await clock.advance(120_000);
    expect(hook.requests).toHaveLength(1);
    expect(await h.app.store.outbox.get(id)).toMatchObject({ status: 'cancelled', attempts: 1 });
    const pending = (await h.call({ method: 'GET', url: '/_vigil/deliveries?state=pending', headers: admin })).json<{ deliveries: unknown[] }>();
    expect(pending.deliveries).toEqual([]);
    // Once discarded it can be neither retried nor discarded again.
    expect((await h.call({ method: 'POST', url: `/_vigil/deliveries/${encodeURIComponent(id)}/_retry`, headers: admin })).statusCode).toBe(409);
    expect((await h.call({ method: 'DELETE', url: `/_vigil/deliveries/${encodeURIComponent(id)}`, headers: admin })).statusCode).toBe(409);
  });

  it('requeues a failed delivery, which is then delivered with its attempts counted on', async () => {
    const store = h.app.store;
    await failedLogDelivery({ key: 'failed-1', tenant: '_main', watchId: 'gone', action: 'note', text: 'requeued', error: 'DEADLINE_EXCEEDED: gave up after 3 attempts', attempts: 3 });
    const failed = (await h.call({ method: 'GET', url: '/_vigil/deliveries?state=failed&watch=gone', headers: admin })).json<{ deliveries: Array<Record<string, unknown>> }>();
    expect(failed.deliveries).toEqual([expect.objectContaining({ id: 'failed-1', status: 'failed', attempts: 3, summary: 'requeued', last_error: 'DEADLINE_EXCEEDED: gave up after 3 attempts' })]);
    const res = await h.call({ method: 'POST', url: '/_vigil/deliveries/failed-1/_retry', headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'requeued', delivery: { status: 'pending', attempts: 3 } });
    await expect.poll(() => store.outbox.get('failed-1'), { interval: 20, timeout: 5000 }).toMatchObject({ status: 'delivered', attempts: 4 });
    expect((await h.call({ method: 'POST', url: '/_vigil/deliveries/failed-1/_retry', headers: admin })).statusCode).toBe(409);
    // Audited as a write, with who made it.
    const { hits } = await h.security.auditLog.query({ size: 1000 });
    expect(hits.some((e) => e.user === 'adm' && e.method === 'POST' && e.path === '/_vigil/deliveries/failed-1/_retry' && e.outcome === 'SUCCESS')).toBe(true);
  });

  it('requeues a failed delivery whose deadline a restart had moved on with its first window, and shows that deadline', async () => {
    const store = h.app.store;
    const now = clock.now();
    const notification = { kind: 'fire', request: { level: 'info', text: 'moved' }, summary: 'moved', destination: 'log' };
    await store.outbox.enqueue({ key: 'moved-1', tenant: '_main', watchId: 'gone', action: 'note', actionType: 'log', accountId: null, episodeKey: 'e', notification, createdAt: now, deadline: now + 60_000, nextAttemptAt: now });
    // Resumed by a restarted daemon 4 min on, it failed for good at the end of that window.
    await store.outbox.extendDeadlines([{ key: 'moved-1', deadline: now + 300_000 }]);
    const [listed] = (await h.call({ method: 'GET', url: '/_vigil/deliveries?state=pending&watch=gone', headers: admin })).json<{ deliveries: Array<Record<string, unknown>> }>().deliveries;
    expect(listed).toMatchObject({ id: 'moved-1', deadline: new Date(now + 300_000).toISOString() });
    await store.outbox.markFailed('moved-1', 'DEADLINE_EXCEEDED: gave up after 9 attempts', now + 300_000, 9);
    await clock.advance(400_000);
    const res = await h.call({ method: 'POST', url: '/_vigil/deliveries/moved-1/_retry', headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'requeued', delivery: { deadline: new Date(now + 400_000 + 60_000).toISOString() } });
    await expect.poll(() => store.outbox.get('moved-1'), { interval: 20, timeout: 5000 }).toMatchObject({ status: 'delivered', windowMs: 60_000 });
  });

  it('checks permissions in the entry tenant; refuses bad parameters with their names; 404 for no such delivery', async () => {
    await failedLogDelivery({ key: 'team-b-1', tenant: 'team_b', watchId: 'w', action: 'a', text: 'x', error: 'HTTP_4XX: 400', attempts: 1 });
    await h.security.directory.write([{ kind: 'roles', name: 'team_b', value: { cluster_permissions: [], index_permissions: [], tenant_permissions: [{ tenant_patterns: ['team_b'], allowed_actions: ['watch:*'] }] } }]);
    const viewer = { authorization: bearer(await h.tokenFor('v', ['viewer'])) };
    const teamB = { authorization: bearer(await h.tokenFor('tb', ['team_b'])) };
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>) => h.call({ method, url, headers });
    expect((await call('GET', '/_vigil/deliveries?state=failed&tenant=team_b', viewer)).statusCode).toBe(200);
    expect((await call('GET', '/_vigil/deliveries?state=failed&tenant=team_b', teamB)).json<{ deliveries: Array<{ id: string }> }>().deliveries.map((d) => d.id)).toEqual(['team-b-1']);
    expect((await call('GET', '/_vigil/deliveries?state=failed', teamB)).statusCode).toBe(403);
    expect((await call('POST', '/_vigil/deliveries/team-b-1/_retry', viewer)).statusCode).toBe(403);
    expect((await call('DELETE', '/_vigil/deliveries/failed-1', teamB)).statusCode).toBe(403);
    expect((await call('DELETE', '/_vigil/deliveries/team-b-1', {})).statusCode).toBe(401);
    expect((await call('POST', '/_vigil/deliveries/nope/_retry', admin)).statusCode).toBe(404);
    const del = await call('DELETE', '/_vigil/deliveries/team-b-1', teamB);
    expect(del.statusCode, del.body).toBe(200);
    for (const [q, field] of [['?state=lost', 'state'], ['', 'state'], ['?state=failed&size=-1', 'size'], ['?state=failed&tenant=..', 'tenant'], ['?state=failed&colour=red', 'colour']] as const) {
      const res = await call('GET', `/_vigil/deliveries${q}`, admin);
      expect(res.statusCode, q).toBe(400);
      expect(JSON.stringify(res.json()), q).toContain(field);
    }
    // A missing state says it is required, and how to give it.
    expect((await call('GET', '/_vigil/deliveries', admin)).json().detail.state[0].error).toMatch(/^required: .*one of pending, failed, delivered, cancelled \(\?state=pending\)/);
  });
});
