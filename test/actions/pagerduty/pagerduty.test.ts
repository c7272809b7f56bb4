import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagerdutyAction, testAccount } from '../../../src/actions/pagerduty/index.ts';
import { startPagerdutyReceiver, type PdReceiver } from '../../kit/receivers/pagerduty.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import type { RenderedNotification } from '../../../src/actions/types.ts';

const KEY = 'R0VIGILpdTestKey00000000000000ab';
let pd: PdReceiver;
let http: HttpClient;
let account: { integration_key: string; url: string };
beforeAll(async () => {
  pd = await startPagerdutyReceiver([KEY]);
  http = createTestHttpClient({ readTimeoutMs: 300 });
  account = { integration_key: KEY, url: pd.enqueueUrl };
});
afterAll(async () => {
  await http.close();
  await pd.close();
});

const compile = (params: unknown) => pagerdutyAction.compile(pagerdutyAction.params.parse(params) as any, templateEnv());
const deliver = (n: RenderedNotification, over = {}) => {
  const d = deliverDeps(http, account, over);
  return pagerdutyAction.deliver(n, d.deps).then((r) => ({ r, log: d.logText() }));
};

describe('pagerduty action', () => {
  it('renders the exact trigger event with defaults from the watch', () => {
    const n = compile({ event: { payload: { summary: 'Errors: {{data.n}}', component: 'api', custom_details: { n: '{{data.n}}', fixed: 3 } } } }).render(
      view({ n: 42 }),
      renderInfo({ severityLevel: 'critical', episodeKey: 'ep-A' }),
    );
    expect(n).toEqual({
      kind: 'fire',
      destination: 'pagerduty',
      summary: 'pagerduty trigger ep-A: Errors: 42',
      request: {
        event_action: 'trigger',
        dedup_key: 'ep-A',
        client: 'Vigil',
        payload: {
          summary: 'Errors: 42',
          source: 'vigil/_main/w1',
          severity: 'critical',
          timestamp: '2025-03-01T12:00:00.020Z',
          component: 'api',
          custom_details: { n: '42', fixed: 3 },
        },
      },
    });
    expect(JSON.stringify(n)).not.toContain(KEY);
  });

  it.each([
    ['info', 'info'],
    ['warning', 'warning'],
    ['error', 'error'],
    ['critical', 'critical'],
    ['none', 'error'],
  ])('maps watch severity %s to %s', (level, expected) => {
    const n = compile({}).render(view(), renderInfo({ severityLevel: level }));
    expect((n.request as any).payload.severity).toBe(expected);
  });

  it('trigger then resolve with the same dedup_key closes the one alert', async () => {
    const c = compile({ event: { payload: { summary: 'disk full on {{data.host}}' } } });
    const info = renderInfo({ episodeKey: 'ep-resolve-1' });
    const fire = c.render(view({ host: 'db1' }), info);
    expect((await deliver(fire)).r).toMatchObject({ ok: true, response: { status: 'success', dedup_key: 'ep-resolve-1' } });
    const res = c.renderResolve!(view({ host: 'db1' }), info)!;
    expect(res.kind).toBe('resolve');
    expect(res.request).toEqual({ event_action: 'resolve', dedup_key: 'ep-resolve-1' });
    expect((await deliver(res)).r.ok).toBe(true);
    const alerts = pd.incidents().filter((a) => a.dedup_key === 'ep-resolve-1');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.status).toBe('resolved');
  });

  it('acknowledge is sent only with send_acknowledge; auto_resolve false sends no resolve', () => {
    expect(compile({}).renderAck).toBeUndefined();
    const c = compile({ send_acknowledge: true, auto_resolve: false });
    expect(c.renderResolve).toBeUndefined();
    expect(c.renderAck!(view(), renderInfo({ episodeKey: 'ep-x' }))!.request).toEqual({ event_action: 'acknowledge', dedup_key: 'ep-x' });
  });

  it('5xx then 202: retried with the identical dedup_key, one alert', async () => {
    const n = compile({}).render(view(), renderInfo({ episodeKey: 'ep-retry-5xx' }));
    pd.fault({ status: 502, body: 'Bad Gateway' }, { status: 500, body: { status: 'error' } });
    const first = await deliver(n, { attempt: 1 });
    expect(first.r).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    expect((await deliver(n, { attempt: 2 })).r).toMatchObject({ ok: false, retry: true });
    expect((await deliver(n, { attempt: 3 })).r.ok).toBe(true);
    const sent = pd.requests.slice(-3).map((q) => (q.json as any).dedup_key);
    expect(sent).toEqual(['ep-retry-5xx', 'ep-retry-5xx', 'ep-retry-5xx']);
    expect(pd.incidents().filter((a) => a.dedup_key === 'ep-retry-5xx')).toHaveLength(1);
  });

  it('429 is retried honouring Retry-After', async () => {
    pd.fault({ status: 429, body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }, headers: { 'retry-after': '12' } });
    const n = compile({}).render(view(), renderInfo());
    expect((await deliver(n)).r).toMatchObject({ ok: false, retry: true, retryAfterMs: 12_000, code: 'HTTP_429' });
  });

  it('400 from the real validation is permanent, names the error, never the key', async () => {
    const n = compile({}).render(view(), renderInfo());
    const wrong = 'R0VIGILwrongKey000000000000000zz';
    const d = deliverDeps(http, { integration_key: wrong, url: pd.enqueueUrl });
    const r = await pagerdutyAction.deliver(n, d.deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX' });
    expect(r.ok === false && r.message).toContain('Invalid routing key');
    expect(JSON.stringify(r) + d.logText()).not.toContain(wrong);
  });

  it('summary over 1024 characters is cut with a marker and accepted', async () => {
    const n = compile({ event: { payload: { summary: '{{data.s}}' } } }).render(view({ s: '😀'.repeat(3000) }), renderInfo({ episodeKey: 'ep-long' }));
    const s = (n.request as any).payload.summary as string;
    expect(Array.from(s)).toHaveLength(1024);
    expect(s.endsWith('…')).toBe(true);
    expect((await deliver(n)).r.ok).toBe(true);
  });

  it('an event over 512 KB has custom_details cut to a preview, a warning logged, and is accepted', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => ({ i, msg: 'x'.repeat(200) + '"\n' }));
    const n = compile({ event: { payload: { summary: 's', custom_details: { hits: '{{data.hits}}' } } } }).render(view({ hits: big }), renderInfo());
    const cd = (n.request as any).payload.custom_details;
    expect(cd._truncated).toMatch(/512 KB/);
    expect(Buffer.byteLength(JSON.stringify(n.request))).toBeLessThan(512 * 1024 - 200);
    const { r, log } = await deliver(n);
    expect(r.ok).toBe(true);
    expect(log).toContain('custom_details truncated');
  });

  it('hostile values keep the event valid JSON and round-trip', async () => {
    const n = compile({
      event: { dedup_key: 'k-{{data.id}}', payload: { summary: '{{data.v}}', source: '{{data.v}}', custom_details: { v: '{{data.v}}', nested: ['{{data.v}}'] } }, links: [{ href: 'https://x.example/?q={{data.v}}', text: '{{data.v}}' }] },
    }).render(view({ v: HOSTILE, id: 7 }), renderInfo());
    const before = pd.requests.length;
    expect((await deliver(n)).r.ok).toBe(true);
    const ev = JSON.parse(pd.requests[before]!.body);
    expect(ev.dedup_key).toBe('k-7');
    expect(ev.payload.summary).toBe(HOSTILE);
    expect(ev.payload.custom_details).toEqual({ v: HOSTILE, nested: [HOSTILE] });
    expect(ev.links[0].text).toBe(HOSTILE);
  });

  it('connection refused is retried and leaks no key', async () => {
    const n = compile({}).render(view(), renderInfo());
    const d = deliverDeps(http, { integration_key: KEY, url: 'http://127.0.0.1:1/v2/enqueue' });
    const r = await pagerdutyAction.deliver(n, d.deps);
    expect(r).toMatchObject({ ok: false, retry: true });
    expect(JSON.stringify(r) + d.logText()).not.toContain(KEY);
  });

  it('testAccount sends a trigger and its resolve with the same dedup_key', async () => {
    const before = pd.accepted().length;
    const r = await testAccount(account, {}, deliverDeps(http, undefined).deps);
    expect(r).toMatchObject({ ok: true, steps: ['trigger', 'resolve'] });
    const [t, s] = pd.accepted().slice(before) as any[];
    expect(t.event_action).toBe('trigger');
    expect(s).toMatchObject({ event_action: 'resolve', dedup_key: t.dedup_key });
  });

  it('params schema is strict and account defaults the Events v2 URL', () => {
    expect(pagerdutyAction.params.safeParse({ event: { payload: { sumary: 'typo' } } }).success).toBe(false);
    expect(pagerdutyAction.account!.schema.parse({ integration_key: KEY })).toEqual({ integration_key: KEY, url: 'https://events.pagerduty.com/v2/enqueue' });
  });
});
