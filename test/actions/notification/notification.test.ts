/**
 * The channel action: one subject and message rendered once, then put in the channel type's own form
 * (Slack text, a webhook body) and sent by that type, with the channel found by its id among the channel
 * types at send time. Failures to find or use the channel are permanent and say why.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notificationAction } from '../../../src/actions/notification/index.ts';
import type { NotificationParams } from '../../../src/actions/notification/schema.ts';
import type { ActionType, ChannelMessage, RenderedNotification } from '../../../src/actions/types.ts';
import { slackAction } from '../../../src/actions/slack/index.ts';
import { createRegistry } from '../../../src/registry/registry.ts';
import { builtinTypes } from '../../../src/registry/builtin.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { startSlackReceiver, type SlackReceiver } from '../../kit/receivers/slack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../kit/receivers/webhook.ts';
import { channelKit, type ChannelKit } from './kit.ts';

const SLACK_TOKEN = 'chanSlackTokenQQ4455';
const HEADER_SECRET = 'chanHeaderSecretWW8811';

function render(params: { channel: string; message: string; subject?: string }, data: Record<string, unknown> = {}, severityLevel = 'warning') {
  const compiled = notificationAction.compile(notificationAction.params.parse(params) as NotificationParams, templateEnv());
  const info = renderInfo({ severityLevel });
  return { n: compiled.render(view(data), info), missing: info.missing };
}

describe('notification action: render', () => {
  it('renders subject and message as plain text, the subject on one line, with the watch severity', () => {
    const { n, missing } = render({ channel: 'ops', subject: 'Disk {{data.host}}\nfull', message: 'Value: {{data.v}} {{data.nope}}' }, { host: 'db-1', v: HOSTILE });
    expect(n.request).toEqual({ channel: 'ops', subject: 'Disk db-1 full', message: `Value: ${HOSTILE} `, severity: 'warning' });
    expect(n.destination).toBe('channel:ops');
    expect(n.summary).toBe('notification to channel ops: Disk db-1 full');
    expect(missing).toEqual(['data.nope']);
  });

  it('refuses a templated or malformed channel id at load, with its path', () => {
    for (const channel of ['{{data.c}}', 'a b', '', '__proto__']) {
      const r = notificationAction.params.safeParse({ channel, message: 'm' });
      expect(r.success, channel).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['channel']);
    }
    expect(notificationAction.params.safeParse({ channel: 'ops', message: 'm', account: 'x' }).success).toBe(false);
    expect(notificationAction.channelOf!({ channel: 'ops', message: 'm' })).toBe('ops');
  });
});

describe('notification action: delivery through a channel', () => {
  let kit: ChannelKit;
  let slack: SlackReceiver;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    slack = await startSlackReceiver(SLACK_TOKEN);
    hook = await startWebhookReceiver({ requireHeader: ['x-api-key', HEADER_SECRET] });
  });
  afterAll(async () => {
    await slack.close();
    await hook.close();
  });
  beforeEach(async () => {
    kit = await channelKit();
  });
  afterEach(async () => kit.close());

  const send = async (n: RenderedNotification, channels = kit.channels) => {
    const d = deliverDeps(kit.http, undefined, { channels });
    const result = await notificationAction.deliver(n, d.deps);
    return { result, logs: d.logText() };
  };

  it('Slack: the subject, a blank line and the message, escaped so no value makes a mention; the URL stays secret', async () => {
    await kit.accounts.put('slack', 'ops-chat', { url: slack.webhookUrl, name: 'Ops chat' });
    const { n } = render({ channel: 'ops-chat', subject: 'Disk full on {{data.host}}', message: 'Value {{data.v}}' }, { host: 'db-1', v: '<!here> & <@U123>' });
    const { result, logs } = await send(n);
    expect(result).toMatchObject({ ok: true });
    expect(slack.messages()).toEqual([{ text: 'Disk full on db-1\n\nValue &lt;!here&gt; &amp; &lt;@U123&gt;' }]);
    expect(JSON.stringify(result) + logs + JSON.stringify(n)).not.toContain(SLACK_TOKEN);
  });

  it('Slack: a 500 is retried, a 403 is not, through the channel path too', async () => {
    await kit.accounts.put('slack', 'ops-chat', { url: slack.webhookUrl });
    const { n } = render({ channel: 'ops-chat', message: 'm' });
    slack.fault({ status: 500, body: 'rollup_error' }, { status: 403, body: 'invalid_token' });
    expect((await send(n)).result).toMatchObject({ ok: false, retry: true, code: 'HTTP_5XX' });
    expect((await send(n)).result).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX' });
  });

  it('webhook: the message is the body, sent with the account method, headers and url, and the delivery key', async () => {
    await kit.accounts.put('webhook', 'ops-hook', { url: `${hook.url}/in`, method: 'PUT', headers: { 'x-api-key': HEADER_SECRET } });
    const json = render({ channel: 'ops-hook', subject: 's', message: '{"host": "{{data.host}}"}' }, { host: 'db-"1' }).n;
    const { result, logs } = await send(json);
    expect(result).toMatchObject({ ok: true });
    const got = hook.deliveries().at(-1)!;
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/in');
    expect(got.body).toBe('{"host": "db-"1"}');
    expect(got.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(got.headers['idempotency-key']).toBe('idem-main-w1-a1-ep1-20250301T120000Z');
    expect(JSON.stringify(result) + logs).not.toContain(HEADER_SECRET);
    // A message that is JSON goes as JSON (another notification: the receiver deduplicates by key).
    await notificationAction.deliver(render({ channel: 'ops-hook', message: '{"ok": true}' }).n, deliverDeps(kit.http, undefined, { channels: kit.channels, idempotencyKey: 'k2' }).deps);
    expect(hook.deliveries().at(-1)!.headers['content-type']).toBe('application/json');
  });

  it('fails for good, saying why: no such channel, an ambiguous id, a disabled channel, a type switched off, no url, no registry', async () => {
    const { n } = render({ channel: 'ops', message: 'm' });
    expect((await send(n)).result).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND' });

    await kit.accounts.put('webhook', 'ops', { url: hook.url, headers: { 'x-api-key': HEADER_SECRET } });
    await kit.accounts.put('slack', 'ops', { url: slack.webhookUrl });
    const ambiguous = (await send(n)).result;
    expect(ambiguous).toMatchObject({ ok: false, retry: false, code: 'CONFLICT' });
    expect(ambiguous.ok === false && ambiguous.message).toContain('slack/ops and webhook/ops');
    await kit.accounts.delete('slack', 'ops');

    const before = hook.deliveries().length;
    await kit.accounts.put('webhook', 'ops', { url: hook.url, enabled: false });
    expect((await send(n)).result).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_DISABLED' });
    expect(hook.deliveries()).toHaveLength(before);

    await kit.accounts.put('webhook', 'ops', { url: hook.url });
    const off = await channelKit(createRegistry(builtinTypes, { disabled: ['webhook'] }));
    try {
      await off.accounts.put('webhook', 'ops', { url: hook.url });
      expect((await send(n, off.channels)).result).toMatchObject({ ok: false, retry: false, code: 'ACTION_TYPE_DISABLED' });
    } finally {
      await off.close();
    }

    await kit.accounts.put('webhook', 'ops', { headers: { 'x-api-key': HEADER_SECRET } });
    expect((await send(n)).result).toMatchObject({ ok: false, retry: false, code: 'INVALID_REQUEST' });

    const noRegistry = await notificationAction.deliver(n, deliverDeps(kit.http, undefined).deps);
    expect(noRegistry).toMatchObject({ ok: false, retry: false, code: 'ACCOUNTS_UNAVAILABLE' });
    expect(hook.deliveries()).toHaveLength(before);
  });

  it('hands the channel type the watch severity (none when it has no level) and tells its deliver which account type it got', async () => {
    const seen: Array<{ msg: ChannelMessage; accountType: string | undefined }> = [];
    let msg: ChannelMessage | undefined;
    const probe: ActionType = {
      ...slackAction,
      type: 'probe',
      channel: { format: (m, account) => ((msg = m), slackAction.channel!.format(m, account)) },
      deliver: async (_n, deps) => (seen.push({ msg: msg!, accountType: deps.accountType }), { ok: true }),
    };
    const own = await channelKit(createRegistry({ ...builtinTypes, actions: [...builtinTypes.actions, probe] }));
    try {
      await own.accounts.put('probe', 'p1', { url: slack.webhookUrl });
      for (const level of ['critical', 'none']) await send(render({ channel: 'p1', subject: 's', message: 'm' }, {}, level).n, own.channels);
    } finally {
      await own.close();
    }
    expect(seen).toEqual([
      { msg: { subject: 's', message: 'm', severity: 'critical' }, accountType: 'probe' },
      { msg: { subject: 's', message: 'm', severity: undefined }, accountType: 'probe' },
    ]);
  });

  it('the channel is pinned to its own destination: a webhook channel cannot be sent elsewhere', async () => {
    await kit.accounts.put('webhook', 'ops-hook', { url: `${hook.url}/in`, headers: { 'x-api-key': HEADER_SECRET } });
    const channel = await kit.channels.channel('ops-hook');
    await expect(channel.http.request({ method: 'POST', url: 'http://127.0.0.2:9/steal', headers: {} })).rejects.toMatchObject({ kind: 'egress_denied' });
  });
});
