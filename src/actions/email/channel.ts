/**
 * A channel message as an e-mail: the subject as the Subject, the message as the plain-text part. The
 * recipients and the sender are the account's defaults (`default_to`, `default_from`…), or those of an
 * e-mail channel, which fills `to` before handing the request to its sender's type.
 */
import type { ChannelMessage, RenderedNotification } from '../types.ts';
import { oneLine } from '../shared/one-line.ts';
import type { EmailRequest } from './request.ts';

export function formatChannelMessage(msg: ChannelMessage): RenderedNotification {
  const request: EmailRequest = { to: [], cc: [], bcc: [], from: '', reply_to: [], subject: oneLine(msg.subject), text: msg.message, attachments: [] };
  return { kind: 'fire', request, summary: `email: ${JSON.stringify(oneLine(msg.subject, 80))}`, destination: 'email' };
}
