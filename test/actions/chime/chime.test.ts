/**
 * The Chime action against the Chime stand-in, which checks the webhook token and that the body is
 * exactly `{"Content": <non-empty string of at most 4 KB>}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chimeAction, formatChannelMessage, testAccount } from '../../../src/actions/chime/index.ts';
import { startChimeStandIn, type ChimeStandIn } from '../../kit/receivers/chime.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { HttpClient } from '../../../src/net/types.ts';

const TOKEN = 'Vg1lChimeToken-sEcReT_0123456789abcdefghij';
let chime: ChimeStandIn;
let http: HttpClient;
beforeAll(async () => {
  chime = await startChimeStandIn({ token: TOKEN });
  http = createTestHttpClient({ readTimeoutMs: 300 });
});
afterAll(async () => {
  await http.close();
  await chime.close();
});

const compile = (params: unknown) => chimeAction.compile(chimeAction.params.parse(params) as { text: string }, templateEnv());
const account = () => ({ url: chime.webhookUrl });

describe('chime action', () => {
  it('posts {"Content": text}, which Chime takes, with hostile values kept as they are', async () => {
    const n = compile({ text: 'Watch {{watch.id}}: {{data.v}}' }).render(view({ v: HOSTILE }), renderInfo());
    expect(n.request).toEqual({ Content: `Watch w1: ${HOSTILE}` });
    const { deps, logText } = deliverDeps(http, account());
    const r = await chimeAction.deliver(n, deps);
    expect(r).toMatchObject({ ok: true, response: { MessageId: chime.messages().at(-1)!.messageId } });
    expect(chime.messages().at(-1)!.content).toBe(`Watch w1: ${HOSTILE}`);
    expect(JSON.stringify(r) + JSON.stringify(n) + logText()).not.toContain(TOKEN);
  });

  it('cuts a text over Chime\'s 4 KB to fit, without splitting a character', async () => {
    const n = compile({ text: '{{data.v}}' }).render(view({ v: 'é'.repeat(5000) }), renderInfo());
    const content = (n.request as { Content: string }).Content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content.endsWith('é…')).toBe(true);
    expect(await chimeAction.deliver(n, deliverDeps(http, account()).deps)).toMatchObject({ ok: true });
  });


  it('classifies Chime\'s answers: throttled and 5xx retried, a wrong token or webhook not, the token never shown', async () => {
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    chime.throttle();
    expect(await chimeAction.deliver(n, deliverDeps(http, account()).deps)).toMatchObject({ ok: false, retry: true, code: 'HTTP_429' });
    chime.fault({ status: 503, body: { Code: 'ServiceUnavailable', Message: 'try later' } });
    expect(await chimeAction.deliver(n, deliverDeps(http, account()).deps)).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    chime.fault({ hang: true });
    const hung = await chimeAction.deliver(n, deliverDeps(http, account()).deps);
    expect(hung).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(JSON.stringify(hung)).not.toContain(TOKEN);
    const wrong = { url: chime.webhookUrl.replace(encodeURIComponent(TOKEN), 'wrongTokenXYZ123') };
    const { deps, logText } = deliverDeps(http, wrong);
    const r = await chimeAction.deliver(n, deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: expect.stringContaining('Forbidden') });
    expect(JSON.stringify(r) + logText()).not.toContain('wrongTokenXYZ123');
    const gone = await chimeAction.deliver(n, deliverDeps(http, { url: chime.webhookUrl.replace(/incomingwebhooks\/[^?]+/, 'incomingwebhooks/nope') }).deps);
    expect(gone).toMatchObject({ ok: false, retry: false, message: expect.stringContaining('NotFound') });
  });

  it('_test posts through the real path', async () => {
    const before = chime.messages().length;
    const r = await testAccount(account(), { text: 'ping' }, { http, clock: new FakeClock(), logger: silentLogger(), signal: new AbortController().signal, egress: undefined as never });
    expect(r).toMatchObject({ ok: true });
    expect(chime.messages().slice(before).map((m) => m.content)).toEqual(['ping']);
  });

  it('formats a channel message: subject, severity and message as one text', () => {
    const n = formatChannelMessage({ subject: 'Disk full', message: 'node-1 at 99%', severity: 'critical' });
    expect(n.request).toEqual({ Content: '[CRITICAL] Disk full\n\nnode-1 at 99%' });
    expect(formatChannelMessage({ subject: 's', message: '' }).request).toEqual({ Content: 's' });
  });
});
