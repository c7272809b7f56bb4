/**
 * The rendered email request: what goes into the durable outbox and what `--simulate` prints. Plain JSON,
 * no account secrets (account defaults and credentials are joined in `deliver`).
 */
import type { RenderedRequest } from '../../request/render.ts';

/** A `runtime` attachment: the run data, serialised at render time so a retry sends the same bytes. */
export interface RuntimeAttachment {
  filename: string;
  source: 'runtime';
  contentType: string;
  content: string;
}

/** A `request` attachment: fetched over HTTP at send time (each attempt fetches again). */
export interface RequestAttachment {
  filename: string;
  source: 'request';
  contentType?: string;
  /** The rendered request (the shared definition); `auth` becomes the Authorization header when fetching. */
  request: RenderedRequest & { url: string };
}

export type EmailAttachment = RuntimeAttachment | RequestAttachment;

export interface EmailRequest {
  /** Formatted mailboxes (`Name <a@b>` or `a@b`); empty means "use the account default". */
  to: string[];
  cc: string[];
  bcc: string[];
  /** Empty string means "use the account's default_from". */
  from: string;
  reply_to: string[];
  subject: string;
  /** The plain-text part, when there is one. */
  text?: string;
  /** The HTML part, when there is one (already escaped/sanitised). */
  html?: string;
  attachments: EmailAttachment[];
  /** Recipient groups by field, expanded when the mail is sent (groups.ts). */
  groups?: { to?: string[]; cc?: string[]; bcc?: string[] };
}

/** Narrows an outbox payload back to an EmailRequest (the outbox stores `unknown`). */
export function asEmailRequest(request: unknown): EmailRequest | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const r = request as Partial<EmailRequest>;
  if (!Array.isArray(r.to) || !Array.isArray(r.cc) || !Array.isArray(r.bcc) || typeof r.subject !== 'string') return undefined;
  return {
    to: r.to,
    cc: r.cc,
    bcc: r.bcc,
    from: typeof r.from === 'string' ? r.from : '',
    reply_to: Array.isArray(r.reply_to) ? r.reply_to : [],
    subject: r.subject,
    ...(typeof r.text === 'string' ? { text: r.text } : {}),
    ...(typeof r.html === 'string' ? { html: r.html } : {}),
    attachments: Array.isArray(r.attachments) ? r.attachments : [],
    ...(r.groups && typeof r.groups === 'object' ? { groups: groupsOf(r.groups) } : {}),
  };
}

function groupsOf(g: NonNullable<EmailRequest['groups']>): NonNullable<EmailRequest['groups']> {
  const out: NonNullable<EmailRequest['groups']> = {};
  for (const field of ['to', 'cc', 'bcc'] as const) {
    const ids = g[field];
    if (Array.isArray(ids) && ids.every((i) => typeof i === 'string')) out[field] = ids;
  }
  return out;
}
