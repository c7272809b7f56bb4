/**
 * A channel message as an e-mail, for actions that send one message to any channel account: the
 * subject on one line, the message as the text part and, read as markdown, as the HTML part (the
 * message is HTML-escaped first, as a template value would be, then sanitised). No recipients: the
 * send uses the sender account's `default_to`, `default_cc` and `default_bcc` (groups included), or
 * those of an e-mail channel, which fills `to` before handing the request to its sender's type.
 */
import type { ChannelMessage, RenderedNotification } from '../types.ts';
import { escapeHtml } from '../../templates/escape.ts';
import { firstLine } from '../shared/fit.ts';
import { markdownToHtml } from './markdown.ts';
import type { EmailRequest } from './request.ts';

export function formatChannelMessage(msg: ChannelMessage): RenderedNotification {
  const subject = msg.subject.replace(/[\r\n]+/g, ' ').trim();
  const request: EmailRequest = {
    to: [],
    cc: [],
    bcc: [],
    from: '',
    reply_to: [],
    subject,
    text: msg.message,
    html: markdownToHtml(escapeHtml(msg.message)),
    attachments: [],
  };
  return { kind: 'fire', request, summary: `email to the account defaults: ${JSON.stringify(firstLine(subject, 80))}`, destination: 'email' };
}
