/**
 * E-mail as a channel, against a real SMTP server: an `email` account with default recipients is a
 * channel by itself; an `email_channel` (the Notifications plugin's `email` config) adds recipients and
 * recipient groups, found at send time, and sends through its sender account, whose own rules apply.
 * Recipient groups are the e-mail action's `email_group` accounts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emailChannelAction } from '../../../src/actions/email-channel/index.ts';
import { closeEmailTransports } from '../../../src/actions/email/index.ts';
import { notificationAction } from '../../../src/actions/notification/index.ts';
import type { NotificationParams } from '../../../src/actions/notification/schema.ts';
import type { EmailChannelAccount } from '../../../src/actions/email-channel/schema.ts';
import { accountSchemas } from '../../../src/actions/shared/account-schema.ts';
import type { ActionType, RenderedNotification } from '../../../src/actions/types.ts';
import { builtinTypes } from '../../../src/registry/builtin.ts';
import { createRegistry } from '../../../src/registry/registry.ts';
import { deliverDeps, renderInfo, view } from '../../kit/action-deps.ts';
import { startSmtpPeer, type SmtpPeer } from '../../kit/smtp-peer.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { channelKit, type ChannelKit } from '../notification/kit.ts';

const channelMessage = (channel: string) =>
  notificationAction
    .compile(notificationAction.params.parse({ channel, subject: 'Disk full on {{data.host}}', message: 'Free: {{data.free}}' }) as NotificationParams, templateEnv())
    .render(view({ host: 'db-1', free: '1%' }), renderInfo());

describe('e-mail channels', () => {
  let peer: SmtpPeer;
  let kit: ChannelKit;
  beforeAll(async () => {
    peer = await startSmtpPeer();
  });
  afterAll(async () => {
    await closeEmailTransports();
    await peer.close();
  });
  beforeEach(async () => {
    kit = await channelKit();
    await kit.accounts.put('email', 'smtp', { host: '127.0.0.1', port: peer.port, default_from: 'vigil@example.com', default_to: 'fallback@example.com' });
  });
  afterEach(async () => kit.close());

  const send = async (n: RenderedNotification, type: ActionType = notificationAction, account?: unknown) =>
    type.deliver(n, deliverDeps(kit.http, account, { channels: kit.channels, accountId: 'ops-mail' }).deps);

  it('an email account with default recipients is a channel: subject and plain-text message to its default_to', async () => {
    const r = await send(channelMessage('smtp'));
    expect(r).toMatchObject({ ok: true });
    const [m] = await peer.waitForMessages(1);
    expect(m!.envelope.to).toEqual(['fallback@example.com']);
    expect(m!.parsed.subject).toBe('Disk full on db-1');
    expect(m!.parsed.text?.trim()).toBe('Free: 1%');
  });

  it('an email_channel sends one message to its recipients and its groups (each address once) through its sender', async () => {
    await kit.accounts.put('email_group', 'oncall', { emails: ['c@example.com', 'A@example.com'] });
    await kit.accounts.put('email_channel', 'ops-mail', {
      name: 'Ops mail',
      email_account_id: 'smtp',
      recipient_list: ['a@example.com', 'Bee <b@example.com>'],
      email_group_id_list: ['oncall'],
    });
    const before = peer.messages.length;
    expect(await send(channelMessage('ops-mail'))).toMatchObject({ ok: true });
    const m = (await peer.waitForMessages(before + 1)).at(-1)!;
    expect(m.envelope.to.sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    expect(m.parsed.subject).toBe('Disk full on db-1');
  });

  it('as an action of its own: an email action whose account is the preset, its own `to` added', async () => {
    await kit.accounts.put('email_channel', 'ops-mail', { email_account_id: 'smtp', recipient_list: ['a@example.com'] });
    const params = emailChannelAction.params.parse({ to: 'd@example.com', subject: 'Hi {{data.host}}', text_body: 'body' });
    const n = emailChannelAction.compile(params, templateEnv()).render(view({ host: 'db-2' }), renderInfo());
    const before = peer.messages.length;
    const account = await kit.accounts.resolve('email_channel', 'ops-mail');
    expect(await send(n, emailChannelAction, account)).toMatchObject({ ok: true });
    const m = (await peer.waitForMessages(before + 1)).at(-1)!;
    expect(m.envelope.to.sort()).toEqual(['a@example.com', 'd@example.com']);
    expect(m.parsed.subject).toBe('Hi db-2');
  });

  it('fails for good, saying why: no sender, no group, a disabled sender, the sender\'s domain allowlist', async () => {
    const before = peer.messages.length;
    await kit.accounts.put('email_channel', 'ops-mail', { email_account_id: 'nosuch', recipient_list: ['a@example.com'] });
    expect(await send(channelMessage('ops-mail'))).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND' });
    await kit.accounts.put('email_channel', 'ops-mail', { email_account_id: 'smtp', email_group_id_list: ['nogroup'] });
    expect(await send(channelMessage('ops-mail'))).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND' });
    await kit.accounts.put('email_channel', 'ops-mail', { email_account_id: 'smtp', recipient_list: ['a@evil.example'] });
    await kit.accounts.put('email', 'smtp', { host: '127.0.0.1', port: peer.port, default_from: 'vigil@example.com', domain_allowlist: ['example.com'] });
    expect(await send(channelMessage('ops-mail'))).toMatchObject({ ok: false, retry: false, code: 'EGRESS_DENIED' });
    await kit.accounts.put('email', 'smtp', { host: '127.0.0.1', port: peer.port, default_from: 'vigil@example.com', enabled: false });
    expect(await send(channelMessage('ops-mail'))).toMatchObject({ ok: false, retry: false, code: 'ACCOUNT_DISABLED' });
    expect(peer.messages.length).toBe(before);
  });

  it('with the email action disabled on the node, an e-mail channel fails clearly: its sender and groups are that action\'s accounts', async () => {
    const off = await channelKit(createRegistry(builtinTypes, { disabled: ['email'] }));
    try {
      await off.accounts.put('email', 'smtp', { host: '127.0.0.1', port: peer.port, default_from: 'vigil@example.com' });
      await off.accounts.put('email_channel', 'ops-mail', { email_account_id: 'smtp', email_group_id_list: ['oncall'] });
      const r = await notificationAction.deliver(channelMessage('ops-mail'), deliverDeps(off.http, undefined, { channels: off.channels }).deps);
      expect(r).toMatchObject({ ok: false, retry: false, code: 'ACTION_TYPE_DISABLED' });
      expect(r.ok === false && r.message).toContain("account 'smtp' is a email account");
    } finally {
      await off.close();
    }
  });

  it('an email account whose default_to names a recipient group is a channel too: the group is read as the email action reads it', async () => {
    await kit.accounts.put('email_group', 'oncall', { emails: ['g1@example.com', 'g2@example.com'] });
    await kit.accounts.put('email', 'grouped', { host: '127.0.0.1', port: peer.port, default_from: 'vigil@example.com', default_to: [{ group: 'oncall' }] });
    const before = peer.messages.length;
    expect(await send(channelMessage('grouped'))).toMatchObject({ ok: true });
    const m = (await peer.waitForMessages(before + 1)).at(-1)!;
    expect(m.envelope.to.sort()).toEqual(['g1@example.com', 'g2@example.com']);
  });

  it('refuses a bad channel at PUT: recipients that are not addresses, the sender listed as a group', async () => {
    await expect(kit.accounts.put('email_channel', 'bad', { email_account_id: 'smtp', recipient_list: ['not an address'] })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      detail: { recipient_list: expect.any(Array) },
    });
    await expect(kit.accounts.put('email_channel', 'bad', { email_account_id: 'smtp', email_group_id_list: ['smtp'] })).rejects.toMatchObject({
      detail: { email_group_id_list: expect.any(Array) },
    });
  });

  it('_test sends a test message through the sender', async () => {
    await kit.accounts.put('email_channel', 'ops-mail', { email_account_id: 'smtp', recipient_list: ['t@example.com'] });
    const account = (await kit.accounts.resolve('email_channel', 'ops-mail')) as EmailChannelAccount;
    const before = peer.messages.length;
    const d = deliverDeps(kit.http, undefined, { channels: kit.channels }).deps;
    expect(await emailChannelAction.account!.test!.run(account, {}, d)).toMatchObject({ ok: true });
    expect((await peer.waitForMessages(before + 1)).at(-1)!.envelope.to).toEqual(['t@example.com']);
  });
});
