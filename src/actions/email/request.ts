/**
 * The rendered email request: what goes into the durable outbox and what `--simulate` prints. Plain JSON,
 * no account secrets (account defaults and credentials are joined in `deliver`).
 */

/** A `runtime` attachment: the run data, serialised at render time so a retry sends the same bytes. */
export interface RuntimeAttachment {
  filename: string;
  source: 'runtime';
  contentType: string;
  content: string;
}

/** TLS options of a `request` attachment. */
export interface EmailAttachmentTls {
  trusted_certs?: string;
  verify_hostnames?: boolean;
  trust_all?: boolean;
  client_auth?: { certs: string; private_key: string; private_key_password?: string };
}

/** A `request` attachment: fetched over HTTP at send time (each attempt fetches again). */
export interface RequestAttachment {
  filename: string;
  source: 'request';
  contentType?: string;
  request: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: string;
    /** Signals' inline basic authentication, sent as the Authorization header when fetching. */
    auth?: { type: 'basic'; username: string; password: string };
    tls?: EmailAttachmentTls;
    connectTimeoutMs?: number;
    readTimeoutMs?: number;
  };
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
  };
}
