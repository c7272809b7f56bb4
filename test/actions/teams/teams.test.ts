/**
 * The Teams action against the Teams stand-in: the Workflows trigger checks its signature and answers
 * 202, then checks the envelope and the Adaptive Card as the flow would (a bad one becomes a failed run,
 * not an HTTP error, so every test here also asserts that no run failed); the legacy connector checks a
 * MessageCard or an envelope and answers 200 `1`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatChannelMessage, teamsAction, testAccount } from '../../../src/actions/teams/index.ts';
import { TEAMS_MAX_BYTES } from '../../../src/actions/teams/card.ts';
import { startTeamsStandIn, type TeamsStandIn } from '../../kit/receivers/teams.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { HttpClient } from '../../../src/net/types.ts';

const SIG = 'Vg1lSig0TeamsWorkflow-sEcReT_0123456789abcd';
let teams: TeamsStandIn;
let http: HttpClient;
beforeAll(async () => {
  teams = await startTeamsStandIn({ sig: SIG });
  http = createTestHttpClient({ readTimeoutMs: 300 });
});
afterAll(async () => {
  await http.close();
  await teams.close();
});
afterEach(() => expect(teams.failedRuns()).toEqual([]));

const compile = (params: unknown) => teamsAction.compile(teamsAction.params.parse(params), templateEnv());
const workflow = () => ({ url: teams.workflowUrl });
const connector = () => ({ url: teams.connectorUrl });
const lastCard = () => teams.posted().at(-1)!.cards[0] as Record<string, any>;

describe('teams action', () => {
  it('sends an Adaptive Card in a message envelope to a Workflows webhook: title coloured by severity, then the text', async () => {
    const n = compile({ title: 'Watch {{watch.id}}', text: '**{{data.count}}** errors' }).render(view({ count: 17 }), renderInfo({ severityLevel: 'error' }));
    const { deps, logText } = deliverDeps(http, workflow());
    const r = await teamsAction.deliver(n, deps);
    expect(r).toMatchObject({ ok: true });
    const post = teams.posted().at(-1)!;
    expect(post.via).toBe('workflow');
    expect(post.payload).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
    const card = lastCard();
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({ type: 'Container', style: 'attention', items: [{ type: 'TextBlock', text: 'Watch w1', weight: 'Bolder' }] });
    expect(card.body[1]).toEqual({ type: 'TextBlock', text: '**17** errors', wrap: true });
    expect(n.summary).toBe('teams: Watch w1');
    expect(JSON.stringify(r) + JSON.stringify(n) + logText()).not.toContain(SIG);
  });

  it.each([
    ['info', 'accent', '0078D7'],
    ['warning', 'warning', 'FFB900'],
    ['critical', 'attention', 'A80000'],
    ['none', 'default', '8A8886'],
  ])('severity %s colours the card (%s) and the MessageCard (%s)', (level, style, color) => {
    const adaptive = compile({ title: 't', text: 'x' }).render(view(), renderInfo({ severityLevel: level }));
    expect((adaptive.request as any).attachments[0].content.body[0].style).toBe(style);
    const legacy = compile({ title: 't', text: 'x', format: 'message_card' }).render(view(), renderInfo({ severityLevel: level }));
    expect((legacy.request as any).themeColor).toBe(color);
  });

  it('keeps hostile values valid JSON in the card and in a raw card template', async () => {
    const own = compile({ title: '{{data.v}}', text: 'v={{data.v}}' }).render(view({ v: HOSTILE }), renderInfo());
    expect(await teamsAction.deliver(own, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: true });
    expect(lastCard().body[1].text).toBe(`v=${HOSTILE}`);

    const raw = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'FactSet', facts: [{ title: 'value', value: '{{data.v}}' }] }],
      actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://kibana.example/app?q={{data.q}}' }],
    };
    const n = compile({ card: raw }).render(view({ v: HOSTILE, q: 'a&b' }), renderInfo());
    expect(await teamsAction.deliver(n, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: true });
    expect(lastCard().body[0].facts[0].value).toBe(HOSTILE);
    expect(lastCard().actions[0].url).toBe('https://kibana.example/app?q=a&b');

    // One template for the whole card works too; so does a whole envelope.
    const doc = compile({ card: '{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.2","body":[{"type":"TextBlock","text":"{{data.v}}"}]}}]}' });
    expect(await teamsAction.deliver(doc.render(view({ v: HOSTILE }), renderInfo()), deliverDeps(http, workflow()).deps)).toMatchObject({ ok: true });
    expect(lastCard().body[0].text).toBe(HOSTILE);
  });

  it('refuses a raw card that is not a card, and card together with title or text', () => {
    expect(() => compile({ card: { type: 'Container', items: [] } }).render(view(), renderInfo())).toThrow(/AdaptiveCard/);
    expect(() => compile({ card: '[1]' }).render(view(), renderInfo())).toThrow(/JSON object/);
    expect(teamsAction.params.safeParse({ card: { type: 'AdaptiveCard' }, text: 'x' }).error?.issues[0]).toMatchObject({ path: ['card'] });
    expect(teamsAction.params.safeParse({ format: 'message_card' }).error?.issues[0]).toMatchObject({ path: ['text'] });
  });

  it('sends a MessageCard to a legacy connector on request, and an Adaptive Card to one by default', async () => {
    const legacy = compile({ title: 'Disk {{data.d}}', text: 'almost full', format: 'message_card' }).render(view({ d: '/var' }), renderInfo({ severityLevel: 'warning' }));
    expect(legacy.request).toEqual({ '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: 'Disk /var', themeColor: 'FFB900', title: 'Disk /var', text: 'almost full' });
    expect(await teamsAction.deliver(legacy, deliverDeps(http, connector()).deps)).toEqual({ ok: true, detail: 'posted' });
    expect(teams.posted().at(-1)).toMatchObject({ via: 'connector', cards: [{ title: 'Disk /var' }] });
    const adaptive = compile({ text: 'hello' }).render(view(), renderInfo());
    expect(await teamsAction.deliver(adaptive, deliverDeps(http, connector()).deps)).toMatchObject({ ok: true });
    expect(teams.posted().at(-1)).toMatchObject({ via: 'connector', cards: [{ type: 'AdaptiveCard' }] });
  });

  it("cuts the text to Teams' 28 KB limit, so the flow does not drop the message; a raw card over it fails for good", async () => {
    const n = compile({ title: 't', text: '{{data.v}}' }).render(view({ v: '"\\<'.repeat(20_000) }), renderInfo());
    expect(Buffer.byteLength(JSON.stringify(n.request))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(await teamsAction.deliver(n, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: true });
    expect(lastCard().body[1].text).toMatch(/…$/);
    expect(lastCard().body[1].text.length).toBeGreaterThan(10_000);

    const big = compile({ card: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: '{{data.v}}' }] } }).render(view({ v: 'x'.repeat(40_000) }), renderInfo());
    const before = teams.requests.length;
    expect(await teamsAction.deliver(big, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: false, retry: false, code: 'PAYLOAD_TOO_LARGE' });
    expect(teams.requests.length).toBe(before);
  });

  it('classifies the answers: a bad signature is permanent, throttling is retried after Retry-After, and the URL never shows', async () => {
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    const bad = { url: teams.workflowUrl.replace(SIG, 'wrongSignature0000') };
    const { deps, logText } = deliverDeps(http, bad);
    const r = await teamsAction.deliver(n, deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: expect.stringContaining('DirectApiInvalidAuthorizationSignature') });
    expect(JSON.stringify(r) + logText()).not.toContain('wrongSignature0000');
    teams.throttle(12);
    expect(await teamsAction.deliver(n, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: false, retry: true, code: 'HTTP_429', retryAfterMs: 12_000 });
    teams.fault({ status: 502, body: 'bad gateway' });
    expect(await teamsAction.deliver(n, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    teams.fault({ hang: true });
    const hung = await teamsAction.deliver(n, deliverDeps(http, workflow()).deps);
    expect(hung).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(JSON.stringify(hung)).not.toContain(SIG);
  });

  it("a connector's 200 that reports Teams' own 429 is retried; other refusals in a 200 are not", async () => {
    const n = compile({ text: 'hi', format: 'message_card' }).render(view(), renderInfo());
    teams.fault({ status: 200, body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0.' });
    expect(await teamsAction.deliver(n, deliverDeps(http, connector()).deps)).toMatchObject({ ok: false, retry: true, code: 'HTTP_429' });
    teams.fault({ status: 200, body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400 with ContextId tcid=0.' });
    expect(await teamsAction.deliver(n, deliverDeps(http, connector()).deps)).toMatchObject({ ok: false, retry: false, code: 'UNEXPECTED_RESPONSE' });
  });

  it('_test posts a card through the real path, in either format', async () => {
    const seams = { http, clock: new FakeClock(), logger: silentLogger(), signal: new AbortController().signal, egress: undefined as never };
    expect(await testAccount(workflow(), {}, seams)).toMatchObject({ ok: true });
    expect(lastCard().body[0].items[0].text).toBe('Vigil test message');
    expect(await testAccount(connector(), { format: 'message_card', text: 'ping' }, seams)).toMatchObject({ ok: true });
    expect(teams.posted().at(-1)!.cards[0]).toMatchObject({ text: 'ping' });
  });

  it('formats a channel message as the coloured Adaptive Card, which the workflow accepts', async () => {
    const n = formatChannelMessage({ subject: 'Disk full', message: 'node-1 at 99%', severity: 'warning' });
    expect(await teamsAction.deliver(n, deliverDeps(http, workflow()).deps)).toMatchObject({ ok: true });
    expect(lastCard().body.map((b: any) => b.text ?? b.items[0].text)).toEqual(['Disk full', 'node-1 at 99%']);
    expect(lastCard().body[0].style).toBe('warning');
  });
});
