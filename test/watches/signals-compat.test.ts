/**
 * Signals rules the documentation's examples rely on: a watch without a schedule (run on demand), a
 * check whose `target` is null, an action that names no account (the `default` one) — and a rule that
 * stays: an action without a name is refused, as Signals refuses it.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { compileWatch } from '../../src/watches/compile.ts';
import { Scheduler } from '../../src/schedule/scheduler.ts';
import { silentLogger } from '../../src/log.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/net/types.ts';
import { VigilError } from '../../src/errors.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { compileEnv, fixedAccounts, runtimeKit, type RuntimeKit } from '../kit/runtime.ts';

const env = compileEnv();
const compile = (w: unknown) => compileWatch(w, { tenant: '_main', id: 'w' }, env);
const staticCheck = { type: 'static', name: 'constants', target: 'constants', value: { n: 3 } };

/** An HTTP client that records every request and answers each with `answer` (default: 200, JSON `{}`). */
function recordingHttp(answer: HttpResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{}', truncated: false }): { http: HttpClient; requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const http: HttpClient = {
    async request(req) {
      requests.push(req);
      return { ...answer, headers: { ...answer.headers } };
    },
    close: async () => {},
  };
  return { http, requests };
}

let kit: RuntimeKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('a watch without a schedule', () => {
  it.each([
    ['`"trigger": {}`', { trigger: {} }],
    ['no trigger at all', {}],
  ])('%s is valid, is never fired by the scheduler, and runs on demand', async (_, trigger) => {
    const res = compile({ ...trigger, checks: [staticCheck], actions: [{ type: 'log', name: 'say', text: 'n={{data.constants.n}}' }] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const w = res.watch;
    expect(w.schedule.next(0, 0)).toBeNull();

    const clock = new FakeClock('2026-03-01T00:00:00Z');
    const scheduler = new Scheduler({ clock, logger: silentLogger() });
    let fired = 0;
    scheduler.upsert('_main/w', w.schedule, async () => void fired++);
    scheduler.start();
    await clock.advance(7 * 86_400_000);
    expect(fired).toBe(0);
    expect(scheduler.nextFire('_main/w')).toBeNull();
    await scheduler.stop();

    kit = runtimeKit();
    const rec = await kit.runner.run(w, { fire: null });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(kit.logs.lines.some((l) => l.msg === 'n=3')).toBe(true);
  });

  it('a schedule object with no kind in it is still refused (a watch meant to fire that never would)', () => {
    const res = compile({ trigger: { schedule: { timezone: 'Europe/Berlin' } } });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(Object.keys(res.detail)).toEqual(['trigger.schedule']);
  });
});

describe('`target: null`', () => {
  it.each(['static', 'transform'])('puts a %s check result at the top of data, like an omitted target', async (type) => {
    kit = runtimeKit();
    const check = type === 'static' ? { type, name: null, target: null, value: { x: 'y' } } : { type, name: null, target: null, source: "['x': 'y']" };
    const res = compile({ trigger: {}, checks: [{ ...staticCheck }, check], log_runtime_data: true });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const rec = await kit.runner.run(res.watch, { fire: null });
    expect(rec.status.code).toBe('NO_ACTION');
    expect(rec.data).toEqual({ x: 'y' });
  });
});

describe('an action that names no account', () => {
  it('uses the account called `default` of its type: validated as a reference and delivered through it', async () => {
    const res = compile({ trigger: {}, actions: [{ type: 'slack', name: 'chat', text: 'hello' }, { type: 'webhook', name: 'hook', request: { url: 'https://hooks.example.com/x', body: 'hi' } }] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    // Slack sends through an account; a webhook needs none, so naming none means none.
    expect(res.watch.accountRefs).toMatchObject([{ type: 'slack', id: 'default', path: 'actions[0].account', implicit: true }]);

    const { http, requests } = recordingHttp({ status: 200, headers: {}, body: 'ok', truncated: false });
    kit = runtimeKit({ http, accounts: fixedAccounts({ slack: { default: { url: 'https://hooks.slack.example/services/T0/B0/default' } } }) });
    const rec = await kit.runner.run(res.watch, { fire: null });
    expect(rec.actions.map((a) => [a.status.code, a.error?.message])).toEqual([['ACTION_EXECUTED', undefined], ['ACTION_EXECUTED', undefined]]);
    expect(requests.map((r) => r.url).sort()).toEqual(['https://hooks.example.com/x', 'https://hooks.slack.example/services/T0/B0/default']);
  });
});

describe('what Signals refuses stays refused', () => {
  it('an action without a name (the index action examples of the Signals documentation omit it)', () => {
    const res = compile({ trigger: {}, actions: [{ type: 'index', checks: [{ type: 'transform', source: "['x': 1]" }], index: 'testindex' }] });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(Object.keys(res.detail)).toEqual(['actions[0].name']);
  });
});

describe('`proxy` on HTTP inputs and webhooks', () => {
  const watchWith = (proxy: string) => ({
    trigger: {},
    checks: [{ type: 'http', name: 'in', target: 'in', request: { url: 'https://api.example.com/x' }, proxy }],
    actions: [{ type: 'webhook', name: 'out', request: { url: 'https://hooks.example.com/y', body: 'b' }, proxy }],
  });

  it.each([
    ['none', undefined],
    ['default', undefined],
    ['http://proxy.example.com:3128', 'http://proxy.example.com:3128'],
  ])('proxy %s', async (proxy, expected) => {
    const { http, requests } = recordingHttp();
    kit = runtimeKit({ http });
    const res = compile(watchWith(proxy));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const rec = await kit.runner.run(res.watch, { fire: null });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(requests.map((r) => r.proxy)).toEqual([expected, expected]);
  });

  it('any other value names a stored proxy (as Signals reads it), resolved to its URL when each request is sent', async () => {
    const { http, requests } = recordingHttp();
    const urls: Record<string, string> = { 'my-proxy-id': 'http://proxy.internal:3128', '127.0.0.1:9199': 'http://127.0.0.1:9199' };
    const storedRefs = {
      proxyUri: async (id: string) => urls[id] ?? Promise.reject(new VigilError('NOT_FOUND', `proxy ${id} not found`)),
      truststorePem: async () => Promise.reject(new VigilError('NOT_FOUND', 'none')),
    };
    kit = runtimeKit({ http, storedRefs });
    for (const [id, url] of Object.entries(urls)) {
      const res = compileWatch(watchWith(id), { tenant: '_main', id: `via-${id}` }, env);
      if (!res.ok) expect.fail(JSON.stringify(res.detail));
      expect(res.watch.storedRefs).toEqual([
        { kind: 'proxy', id, path: 'checks[0].proxy' },
        { kind: 'proxy', id, path: 'actions[0].proxy' },
      ]);
      const rec = await kit.runner.run(res.watch, { fire: null });
      expect(rec.status.code).toBe('ACTION_EXECUTED');
      expect(requests.splice(0).map((r) => [r.proxy, r.proxyId])).toEqual([[url, undefined], [url, undefined]]);
    }
  });

  it('a value that is neither a URL, default, none nor a possible proxy id is refused on both paths', () => {
    const res = compile(watchWith('corporate proxy #1'));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(Object.keys(res.detail).sort()).toEqual(['actions[0].proxy', 'checks[0].proxy']);
      expect(res.detail['checks[0].proxy']![0]!.error).toMatch(/nor a stored proxy id/);
    }
  });
});

describe('`tls.trusted_certs` as an array of PEM certificates (Signals takes a string or an array)', () => {
  it('reaches the request as one PEM bundle, for HTTP inputs, webhooks and e-mail attachments alike', async () => {
    const [a, b] = ['-----BEGIN CERTIFICATE-----\nMIIBa\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nMIIBb\n-----END CERTIFICATE-----'];
    const tls = { trusted_certs: [a, b] };
    const { http, requests } = recordingHttp();
    kit = runtimeKit({ http });
    const res = compile({
      trigger: {},
      checks: [{ type: 'http', name: 'in', target: 'in', request: { url: 'https://api.example.com/x' }, tls }],
      actions: [
        { type: 'webhook', name: 'out', request: { url: 'https://hooks.example.com/y', body: 'b' }, tls },
        { type: 'email', name: 'mail', account: 'ops', to: 'a@example.com', text_body: 'x', attachments: { 'r.txt': { type: 'request', request: { url: 'https://r.example.com/' }, tls } } },
      ],
    });
    if (!res.ok) expect.fail(JSON.stringify(res.detail));
    const rec = await kit.runner.run(res.watch, { fire: null, simulate: true });
    expect(rec.status.code).toBe('SIMULATED_ACTION_EXECUTED');
    const bundle = `${a}\n${b}`;
    expect(requests[0]!.tls).toEqual({ trusted_certs: bundle });
    expect((rec.actions[0]!.request as Array<{ tls: unknown }>)[0]!.tls).toEqual({ trusted_certs: bundle });
    expect((rec.actions[1]!.request as Array<{ attachments: Array<{ request: { tls: unknown } }> }>)[0]!.attachments[0]!.request.tls).toEqual({ trusted_certs: bundle });
  });
});
