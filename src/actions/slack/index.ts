/**
 * Slack through an incoming webhook. Text is rendered in `slack` mode (values JSON-safe and with
 * Slack's `&`, `<`, `>` escaping, so a value cannot inject a mention or a link), blocks and attachments
 * keep `slack` mode for `text` fields and plain JSON-safe rendering elsewhere (URLs must not be
 * entity-escaped). Slack answers 200 `ok` on success and a short text error otherwise.
 */
import { z } from 'zod';
import type { ActionType, ChannelMessage, CompiledAction, DeliveryResult, RenderedNotification } from '../types.ts';
import type { CompileEnv } from '../../checks/types.ts';
import { compileJsonDocument, compileLeaf, compileTree, type TreeTemplate } from '../shared/json-template.ts';
import { statusFailure } from '../shared/http-outcome.ts';
import { postJsonToSecretUrl } from '../shared/secret-url-post.ts';
import { testDeliverDeps, type TestAccountDeps } from '../shared/test-account.ts';
import { urlDestination } from '../shared/account-destination.ts';
import { slackAccount, slackParams, type SlackAccount, type SlackParams } from './schema.ts';

/** The JSON body Slack receives. */
export interface SlackMessage {
  channel?: string;
  username?: string;
  icon_emoji?: string;
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
}

function compileBlocks(env: CompileEnv, value: unknown[] | string, path: string): TreeTemplate {
  if (typeof value === 'string') return compileJsonDocument(env, value, path);
  return compileTree(env, value, (key) => (key === 'text' || key === 'pretext' || key === 'fallback' ? 'slack' : 'json'), path);
}

function compile(p: SlackParams, env: CompileEnv): CompiledAction {
  const channel = p.channel !== undefined ? compileLeaf(env, p.channel, 'json', 'channel') : undefined;
  const from = p.from !== undefined ? compileLeaf(env, p.from, 'json', 'from') : undefined;
  const icon = p.icon_emoji !== undefined ? compileLeaf(env, p.icon_emoji, 'json', 'icon_emoji') : undefined;
  const text = p.text !== undefined ? compileLeaf(env, p.text, 'slack', 'text') : undefined;
  const blocks = p.blocks !== undefined ? compileBlocks(env, p.blocks, 'blocks') : undefined;
  const attachments = p.attachments !== undefined ? compileBlocks(env, p.attachments, 'attachments') : undefined;
  return {
    render(view, info): RenderedNotification {
      const missing: string[] = [];
      const msg: SlackMessage = {};
      if (channel) msg.channel = channel.render(view, missing);
      if (from) msg.username = from.render(view, missing);
      if (icon) msg.icon_emoji = icon.render(view, missing);
      if (text) msg.text = text.render(view, missing);
      if (blocks) msg.blocks = blocks.render(view, missing);
      if (attachments) msg.attachments = attachments.render(view, missing);
      if (missing.length) info.reportMissing([...new Set(missing)]);
      const first = (msg.text ?? '').split('\n')[0]!.slice(0, 120);
      return {
        kind: 'fire',
        request: msg,
        summary: `slack${msg.channel ? ` ${msg.channel}` : ''}: ${first}`,
        destination: 'slack',
      };
    },
  };
}

async function postToSlack(msg: unknown, account: SlackAccount, deps: Parameters<ActionType['deliver']>[1]): Promise<DeliveryResult> {
  const sent = await postJsonToSecretUrl(deps, account.url, JSON.stringify(msg));
  if ('failure' in sent) return sent.failure;
  const { res, detail } = sent;
  if (res.status === 200) {
    // Slack answers `ok`; anything else with a 200 (e.g. `invalid_token` from old gateways, or JSON
    // `{"ok":false}`) is a rejection a retry cannot fix.
    if (res.body.trim() === 'ok') return { ok: true, detail: 'ok' };
    return { ok: false, retry: false, code: 'SLACK_REJECTED', message: `HTTP 200: ${detail}` };
  }
  return statusFailure(res, deps.clock.now(), detail);
}

/** Slack's escaping of message text: `&`, `<` and `>` only, so no value can make a mention or a link. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A channel message as Slack text: the subject, a blank line, the message (as the Notifications plugin
 * sends it), all escaped: a channel message is plain text, so Slack markup in it is shown, not run.
 */
export function formatChannelMessage(msg: ChannelMessage): RenderedNotification {
  const text = msg.subject ? `${slackEscape(msg.subject)}\n\n${slackEscape(msg.message)}` : slackEscape(msg.message);
  return { kind: 'fire', request: { text } satisfies SlackMessage, summary: `slack: ${text.split('\n')[0]!.slice(0, 120)}`, destination: 'slack' };
}

/** `_test` for a Slack account: posts one short message through the real path. */
export async function testAccount(account: SlackAccount, opts: { text?: string; channel?: string }, deps: TestAccountDeps): Promise<DeliveryResult> {
  const msg: SlackMessage = { text: opts.text ?? 'Vigil test message: this Slack account works.' };
  if (opts.channel) msg.channel = opts.channel;
  return postToSlack(msg, account, testDeliverDeps(account, deps, 'slack-test'));
}

export const slackAction: ActionType<SlackParams, SlackAccount> = {
  type: 'slack',
  params: slackParams,
  account: {
    ...slackAccount,
    required: true,
    destination: (account) => urlDestination(account.url),
    test: { body: z.strictObject({ text: z.string().max(4000).optional(), channel: z.string().max(256).optional() }), run: testAccount },
  },
  compile,
  channel: { format: formatChannelMessage },
  async deliver(n, deps) {
    if (!deps.account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'slack action needs a slack account' };
    return postToSlack(n.request, deps.account, deps);
  },
  conformance: {
    params: () => ({ text: 'hello {{data.x}}' }),
    account: { example: (base) => ({ url: `${base}/services/T1/B1/confSlackTokenZZ9911` }), secrets: ['confSlackTokenZZ9911'] },
    overHttp: true,
  },
};
