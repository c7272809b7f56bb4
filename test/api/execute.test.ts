/**
 * `POST …/_execute` as in Signals (and as `vigil execute`): without `simulate` the actions are sent,
 * through the outbox, and the answer says what was sent and how it went; `record_execution` decides only
 * whether the watch state and the watch log are written; `simulate` sends nothing and shows the rendered
 * request, a throttled action's too; `show_all_runtime_attributes` returns the run's runtime data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import type { AuthProvider } from '../../src/security/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';

const allowAll: AuthProvider = { authenticate: async () => ({ name: 'tester', roles: ['admin'] }), authorize: () => true };

let dir: string;
let app: App;
let api: FastifyInstance;
let hook: WebhookReceiver;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-exec-'));
  const config = loadConfig({
    env: {},
    overrides: {
      data_dir: join(dir, 'data'),
      watches_dir: join(dir, 'watches'),
      accounts_dir: join(dir, 'accounts'),
      egress: { allow: ['127.0.0.1'], disabled_action_types: ['log'] },
    },
  });
  app = await buildApp(config, { logger: captureLogger('warn').logger, env: {}, auth: allowAll });
  await app.start();
  api = app.server;
});
afterAll(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  hook = await startWebhookReceiver();
});
afterEach(async () => {
  await hook.close();
});

/** A watch that never fires by itself here (1 day), posting `data.n` with a basic-auth password inline. */
function watchBody(extra: Record<string, unknown> = {}, action: Record<string, unknown> = {}) {
  return {
    trigger: { schedule: { interval: '1d' } },
    checks: [{ type: 'condition', name: 'high', lang: 'cel', source: 'data.n > 3' }],
    actions: [
      {
        type: 'webhook',
        name: 'hook',
        request: { method: 'POST', url: `${hook.url}/in`, body: 'n={{data.n}}', auth: { type: 'basic', username: 'u', password: 'hunter2-inline' } },
        ...action,
      },
    ],
    ...extra,
  };
}

const put = async (id: string, body: object) => expect((await api.inject({ method: 'PUT', url: `/_signals/watch/_main/${id}`, payload: body })).statusCode).toBeLessThan(300);
const execute = (id: string, payload: Record<string, unknown>) => api.inject({ method: 'POST', url: `/_signals/watch/_main/${id}/_execute`, payload });
const logOf = (id: string) => app.store.log.query({ watchId: id, size: 10 });

describe('_execute of a stored watch', () => {
  it('sends the actions without record_execution, says what was sent, and writes neither state nor log', async () => {
    await put('send1', watchBody());
    const res = await execute('send1', { input: { n: 5 } });
    expect(res.statusCode).toBe(200);
    const rec = res.json();
    expect(hook.deliveries().map((r) => r.body)).toEqual(['n=5']);
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(rec.actions[0]).toMatchObject({ name: 'hook', status: { code: 'ACTION_EXECUTED' }, delivery: { status: 'delivered', attempts: 1 } });
    // What was sent, as simulate shows it: the rendered request, its inline credentials masked.
    expect(rec.actions[0].request).toEqual([expect.objectContaining({ method: 'POST', url: `${hook.url}/in`, body: 'n=5' })]);
    expect(res.body).not.toContain('hunter2-inline');
    // Through the outbox (durable before sent), marked delivered.
    expect(await app.store.outbox.get(rec.actions[0].delivery.key)).toMatchObject({ status: 'delivered', watchId: 'send1' });
    // Not recorded: no state, no log record; a second execution is not throttled by the first.
    expect((await api.inject({ method: 'GET', url: '/_signals/watch/_main/send1/_state' })).json()).toMatchObject({ actions: {}, last_execution: null });
    expect(await logOf('send1')).toEqual([]);
  });

  it('with record_execution writes state and log, like a scheduled run', async () => {
    await put('send2', watchBody({ throttle_period: '1h' }));
    const rec = (await execute('send2', { input: { n: 5 }, record_execution: true })).json();
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(hook.deliveries()).toHaveLength(1);
    const state = (await api.inject({ method: 'GET', url: '/_signals/watch/_main/send2/_state' })).json();
    expect(state.actions.hook).toMatchObject({ execution_count: 1, last_status: { code: 'ACTION_EXECUTED' } });
    expect((await logOf('send2')).map((r) => r.id)).toEqual([rec.id]);
    // The recorded state throttles the next real execution: nothing sent, and the answer says so.
    const again = (await execute('send2', { input: { n: 5 } })).json();
    expect(again.actions[0].status.code).toBe('ACTION_THROTTLED');
    expect(hook.deliveries()).toHaveLength(1);
  });

  it('never claims a send that failed', async () => {
    await put('send3', watchBody());
    hook.fault({ status: 400, body: 'nope' });
    const rec = (await execute('send3', { input: { n: 5 } })).json();
    expect(rec.status.code).toBe('ACTION_FAILED');
    expect(rec.actions[0]).toMatchObject({ status: { code: 'ACTION_FAILED' }, delivery: { status: 'failed', attempts: 1 }, error: { message: expect.stringContaining('400') } });
  });

  it('simulate sends nothing and shows the request, also of an action that would be throttled', async () => {
    await put('sim1', watchBody({ throttle_period: '1h' }));
    let rec = (await execute('sim1', { input: { n: 7 }, simulate: true })).json();
    expect(rec.status.code).toBe('SIMULATED_ACTION_EXECUTED');
    expect(rec.actions[0].request).toEqual([expect.objectContaining({ body: 'n=7' })]);
    expect(hook.requests).toHaveLength(0);
    // Recorded for real, so the next run is throttled …
    expect((await execute('sim1', { input: { n: 7 }, record_execution: true })).json().status.code).toBe('ACTION_EXECUTED');
    // … and a simulation says so, and still renders what would be sent.
    rec = (await execute('sim1', { input: { n: 8 }, simulate: true })).json();
    expect(rec.status.code).toBe('ACTION_THROTTLED');
    expect(rec.actions[0]).toMatchObject({ status: { code: 'ACTION_THROTTLED', detail: expect.stringMatching(/^would be throttled until \d{4}-/) } });
    expect(rec.actions[0].request).toEqual([expect.objectContaining({ body: 'n=8' })]);
    expect(hook.requests).toHaveLength(1);
    expect(JSON.stringify(rec)).not.toContain('hunter2-inline');
    // Simulation changed nothing: the state still counts one execution.
    expect((await api.inject({ method: 'GET', url: '/_signals/watch/_main/sim1/_state' })).json().actions.hook.execution_count).toBe(1);
  });

  it('refuses its options in the query string (they are body fields): ?simulate=true must not send', async () => {
    await put('query1', watchBody());
    for (const url of ['/_signals/watch/_main/query1/_execute?simulate=true', '/_signals/watch/_main/_execute?simulate=true&skip_actions']) {
      const payload = url.includes('/query1/') ? { input: { n: 5 } } : { input: { n: 5 }, watch: watchBody() };
      const res = await api.inject({ method: 'POST', url, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: { '?simulate': [{ error: expect.stringContaining('JSON body') }] } });
    }
    expect(hook.requests).toHaveLength(0);
  });

  it('skip_actions runs the checks only', async () => {
    await put('skip1', watchBody());
    const rec = (await execute('skip1', { input: { n: 5 }, skip_actions: true })).json();
    expect(rec.actions).toEqual([]);
    expect(hook.requests).toHaveLength(0);
  });

  it('show_all_runtime_attributes returns the runtime data after the checks; without it, none', async () => {
    await put('attrs', watchBody({ checks: [{ type: 'static', name: 'c', target: 'c', value: { k: 1 } }, { type: 'condition', name: 'high', lang: 'cel', source: 'data.n > 3' }] }));
    const rec = (await execute('attrs', { input: { n: 1 }, show_all_runtime_attributes: true })).json();
    expect(rec.status.code).toBe('NO_ACTION');
    expect(rec.runtime_attributes).toMatchObject({
      data: { n: 1, c: { k: 1 } },
      watch: { id: 'attrs', tenant: '_main' },
      trigger: { triggered_time: expect.any(String) },
      execution_time: expect.any(String),
      severity: null,
    });
    expect((await execute('attrs', { input: { n: 1 } })).json().runtime_attributes).toBeUndefined();
    // Recorded runs keep the runtime attributes out of the watch log.
    await execute('attrs', { input: { n: 1 }, show_all_runtime_attributes: true, record_execution: true });
    expect((await logOf('attrs'))[0]).not.toHaveProperty('runtime_attributes');
  });
});

describe('_execute of an inline watch', () => {
  it('sends for real, writes no state, and writes the log only with record_execution', async () => {
    let res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_execute', payload: { watch: watchBody(), input: { n: 9 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().actions[0]).toMatchObject({ status: { code: 'ACTION_EXECUTED' }, delivery: { status: 'delivered' } });
    expect(hook.deliveries().map((r) => r.body)).toEqual(['n=9']);
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_execute', payload: { watch: watchBody(), input: { n: 10 }, record_execution: true } });
    expect(hook.deliveries().map((r) => r.body)).toEqual(['n=9', 'n=10']);
    expect((await logOf('_inline')).map((r) => r.id)).toEqual([res.json().id]);
    expect(await app.store.watchState.get('_main', '_inline')).toBeUndefined();
    // Simulated inline: nothing sent.
    res = await api.inject({ method: 'POST', url: '/_signals/watch/_main/_execute', payload: { watch: watchBody(), input: { n: 11 }, simulate: true } });
    expect(res.json().status.code).toBe('SIMULATED_ACTION_EXECUTED');
    expect(hook.requests).toHaveLength(2);
  });

  it('is checked like a stored watch before it runs: a disabled action type is a 400 naming the field', async () => {
    const res = await api.inject({
      method: 'POST',
      url: '/_signals/watch/_main/_execute',
      payload: { watch: { trigger: { schedule: { interval: '1d' } }, actions: [{ type: 'log', name: 'say', text: 'hi' }] } },
    });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().detail)).toContain('actions[0].type');
  });
});
