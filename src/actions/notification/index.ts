/**
 * The channel action (`"type": "notification"`), as the OpenSearch Notifications plugin sends for its
 * plugins: one subject and one message, rendered once, sent to a channel (an account of any type with a
 * `channel` format, named by its id alone) whose type puts them in its own form: Slack text, a webhook
 * body, an e-mail… The channel is looked up, checked and decrypted at send time, so an edited or
 * disabled channel takes effect on the next send; the watch compiler records it for the load-time
 * checks and for the account DELETE's 409.
 */
import type { ActionType, CompiledAction, RenderedNotification } from '../types.ts';
import { oneLine } from '../shared/one-line.ts';
import { accountFailure } from '../shared/account-failure.ts';
import { sendChannelMessage } from './send.ts';
import { asChannelRequest, notificationParams, type ChannelRequest, type NotificationParams } from './schema.ts';

export { sendChannelMessage } from './send.ts';

function compile(p: NotificationParams, env: Parameters<ActionType['compile']>[1]): CompiledAction {
  const subject = p.subject !== undefined ? env.template(p.subject, 'plain', () => 'subject') : undefined;
  const message = env.template(p.message, 'plain', () => 'message');
  return {
    render(view, info): RenderedNotification {
      const s = subject?.render(view);
      const m = message.render(view);
      const missing = [...(s?.missing ?? []), ...m.missing];
      if (missing.length) info.reportMissing([...new Set(missing)]);
      const request: ChannelRequest = { channel: p.channel, subject: oneLine(s?.text ?? ''), message: m.text, severity: info.severityLevel };
      const first = (request.subject || request.message.split('\n')[0]!).slice(0, 120);
      return { kind: 'fire', request, summary: `notification to channel ${p.channel}: ${first}`, destination: `channel:${p.channel}` };
    },
  };
}

export const notificationAction: ActionType<NotificationParams> = {
  type: 'notification',
  params: notificationParams,
  compile,
  channelOf: (p) => p.channel,
  async deliver(n, deps) {
    const req = asChannelRequest(n.request);
    if (!req) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'not a channel message' };
    if (!deps.channels) return { ok: false, retry: false, code: 'ACCOUNTS_UNAVAILABLE', message: 'channels are accounts, and no accounts registry is available (no master key is configured)' };
    let channel;
    try {
      channel = await deps.channels.channel(req.channel);
    } catch (e) {
      return accountFailure(e);
    }
    return sendChannelMessage(channel, { subject: req.subject, message: req.message, severity: req.severity === 'none' ? undefined : req.severity }, deps);
  },
  conformance: {
    params: () => ({ channel: 'ops-chat', subject: 'Watch {{watch.id}}', message: 'hello {{data.x}}' }),
    // It sends through another type's deliver: covered by that type's suite and test/actions/notification/.
    overHttp: false,
  },
};
