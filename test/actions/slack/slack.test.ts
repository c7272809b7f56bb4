import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackAction, testAccount } from '../../../src/actions/slack/index.ts';
import { startSlackReceiver, type SlackReceiver } from '../../kit/receivers/slack.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import type { HttpClient } from '../../../src/net/types.ts';

let slack: SlackReceiver;
let http: HttpClient;
beforeAll(async () => {
  slack = await startSlackReceiver();
  http = createTestHttpClient({ readTimeoutMs: 300 });
});
afterAll(async () => {
  await http.close();
  await slack.close();
});

function compile(params: unknown) {
  return slackAction.compile(slackAction.params.parse(params), templateEnv());
}

describe('slack action', () => {
  it('sends the exact payload and succeeds on 200 ok', async () => {
    const c = compile({ channel: '#alerts', from: 'Vigil', icon_emoji: ':rotating_light:', text: 'Watch {{watch.id}}: {{data.count}} errors' });
    const n = c.render(view({ count: 17 }), renderInfo());
    expect(n.request).toEqual({ channel: '#alerts', username: 'Vigil', icon_emoji: ':rotating_light:', text: 'Watch w1: 17 errors' });
    const { deps } = deliverDeps(http, { url: slack.webhookUrl });
    const before = slack.requests.length;
    await expect(slackAction.deliver(n, deps)).resolves.toEqual({ ok: true, detail: 'ok' });
    const req = slack.requests[before]!;
    expect(req.json).toEqual(n.request);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps hostile values valid JSON and Slack-escapes them in text only', async () => {
    const c = compile({
      channel: '#alerts',
      text: 'v={{data.v}} <https://x.example/a?b=1&c=2|link>',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*{{data.v}}*' } }, { type: 'image', image_url: 'https://x.example/i.png?q={{data.q}}', alt_text: 'a' }],
    });
    const info = renderInfo();
    const n = c.render(view({ v: HOSTILE, q: 'a&b' }), info);
    const { deps } = deliverDeps(http, { url: slack.webhookUrl });
    const before = slack.requests.length;
    expect((await slackAction.deliver(n, deps)).ok).toBe(true);
    const got = slack.requests[before]!;
    const parsed = JSON.parse(got.body) as { text: string; blocks: Array<Record<string, any>> };
    const escaped = HOSTILE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // The value is escaped; the template's own link markup is not.
    expect(parsed.text).toBe(`v=${escaped} <https://x.example/a?b=1&c=2|link>`);
    expect(parsed.blocks[0]!.text.text).toBe(`*${escaped}*`);
    expect(parsed.blocks[1]!.image_url).toBe('https://x.example/i.png?q=a&b');
  });

  it('accepts blocks as one JSON template and reports missing variables', () => {
    const c = compile({ text: 'x', blocks: '[{"type":"section","text":{"type":"mrkdwn","text":"{{data.v}} {{data.nope}}"}}]' });
    const info = renderInfo();
    const n = c.render(view({ v: 'a"b' }), info);
    expect((n.request as any).blocks[0].text.text).toBe('a"b ');
    expect(info.missing).toContain('data.nope');
  });

  it('rejects unknown params and a message without content', () => {
    expect(slackAction.params.safeParse({ text: 'x', colour: 'red' }).success).toBe(false);
    expect(slackAction.params.safeParse({ channel: '#a' }).success).toBe(false);
  });

  it.each([
    ['invalid_token', 403],
    ['no_service', 404],
    ['channel_not_found', 404],
    ['channel_is_archived', 410],
    ['invalid_payload', 400],
  ])('%s (%i) is a permanent failure without the webhook URL in it', async (body, status) => {
    slack.fault({ status, body });
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    const { deps, logText } = deliverDeps(http, { url: slack.webhookUrl });
    const r = await slackAction.deliver(n, deps);
    expect(r).toMatchObject({ ok: false, retry: false });
    expect(r.ok === false && r.message).toContain(body);
    expect(JSON.stringify(r) + logText()).not.toContain('xq9Zsecret0Slack0Token0abc');
  });

  it('treats the real service answers for a wrong token and a wrong channel as permanent', async () => {
    const bad = slack.webhookUrl.replace(/[^/]+$/, 'wrongtoken123');
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    const r1 = await slackAction.deliver(n, deliverDeps(http, { url: bad }).deps);
    expect(r1).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: 'HTTP 403: invalid_token' });
    const n2 = compile({ channel: '#nope', text: 'hi' }).render(view(), renderInfo());
    const r2 = await slackAction.deliver(n2, deliverDeps(http, { url: slack.webhookUrl }).deps);
    expect(r2).toMatchObject({ ok: false, retry: false, message: 'HTTP 404: channel_not_found' });
  });

  it('a 200 that is not `ok` is permanent', async () => {
    slack.fault({ status: 200, body: { ok: false, error: 'invalid_blocks' } });
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    const r = await slackAction.deliver(n, deliverDeps(http, { url: slack.webhookUrl }).deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'SLACK_REJECTED' });
  });

  it('429 honours Retry-After (seconds and HTTP-date); 5xx is retried', async () => {
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    const { deps } = deliverDeps(http, { url: slack.webhookUrl });
    slack.fault({ status: 429, body: 'rate_limited', headers: { 'retry-after': '7' } });
    expect(await slackAction.deliver(n, deps)).toMatchObject({ ok: false, retry: true, retryAfterMs: 7000, code: 'HTTP_429' });
    const at = new Date(deps.clock.now() + 30_000).toUTCString();
    slack.fault({ status: 429, body: 'rate_limited', headers: { 'retry-after': at } });
    expect(await slackAction.deliver(n, deps)).toMatchObject({ ok: false, retry: true, retryAfterMs: 30_000 });
    slack.fault({ status: 500, body: 'rollup_error' });
    expect(await slackAction.deliver(n, deps)).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
  });

  it('a hanging Slack times out and is retried, without the URL in the message', async () => {
    slack.fault({ hang: true });
    const n = compile({ text: 'hi' }).render(view(), renderInfo());
    const r = await slackAction.deliver(n, deliverDeps(http, { url: slack.webhookUrl }).deps);
    expect(r).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(JSON.stringify(r)).not.toContain('xq9Zsecret');
  });

  it('testAccount posts one message', async () => {
    const before = slack.messages().length;
    const { deps } = deliverDeps(http, undefined);
    expect(await testAccount({ url: slack.webhookUrl }, {}, deps)).toMatchObject({ ok: true });
    expect(slack.messages().length).toBe(before + 1);
  });
});
