/**
 * The email action: nodemailer over SMTP with every Signals email-account option.
 *
 * - params: `to`, `cc`, `bcc`, `from`, `reply_to`, `subject`, `text_body`, `html_body`, `markdown_body`,
 *   `attachments` (see params.ts);
 * - account: see account.ts (TLS modes, trusted_hosts, SOCKS5, timeouts, domain allowlist);
 * - render: render.ts; send: deliver.ts; pooled transports: transport.ts.
 */
import { z } from 'zod';
import type { ActionType } from '../types.ts';
import { emailAccount, type EmailAccount } from './account.ts';
import { isTemplated, parseAddresses, refusedByAllowlist } from './addresses.ts';
import { deliverEmail, testAccount } from './deliver.ts';
import { ADDRESS_FIELDS, emailParamsSchema, type EmailParams } from './params.ts';
import { compileEmail } from './render.ts';
import { formatChannelMessage } from './channel.ts';

export type { EmailAccount } from './account.ts';
export type { EmailParams } from './params.ts';
export type { EmailRequest, EmailAttachment } from './request.ts';
export { testAccount, type TestAccountInput } from './deliver.ts';
export { closeEmailTransports } from './transport.ts';
import { closeEmailTransports } from './transport.ts';

/** The domain allowlist applies to the sender and the recipients; Reply-To is where answers go, not mail. */
const ALLOWLIST_FIELDS = ADDRESS_FIELDS.filter((f) => f !== 'reply_to');

export const emailAction: ActionType<EmailParams, EmailAccount> = {
  type: 'email',
  params: emailParamsSchema,
  account: {
    ...emailAccount,
    required: true,
    // The password goes only to the SMTP server and the proxy password only to the SOCKS proxy, both
    // named by the account alone; the HTTP client only fetches `request` attachments, without secrets.
    destination: () => null,
    test: { body: z.strictObject({ to: z.union([z.string(), z.array(z.string()).max(50)]).optional() }), run: testAccount },
  },
  compile: (params, env) => compileEmail(params, env),
  // An e-mail account with default recipients is a channel by itself.
  channel: { format: formatChannelMessage },
  // Called at load with the account; templated addresses are checked again at send time.
  checkAccount(params, account) {
    const problems: Array<[string, string]> = [];
    if (account.domain_allowlist === undefined) return problems;
    for (const field of ALLOWLIST_FIELDS) {
      const value = params[field];
      if (value === undefined) continue;
      const list = typeof value === 'string' ? [value] : value;
      list.forEach((entry, i) => {
        // Templated addresses are only known at send time, where the allowlist is enforced again.
        if (isTemplated(entry)) return;
        const refused = refusedByAllowlist(parseAddresses(entry).mailboxes, account.domain_allowlist);
        if (refused.length > 0) {
          problems.push([typeof value === 'string' ? field : `${field}[${i}]`, `domain not in the account's domain_allowlist: ${refused.join(', ')}`]);
        }
      });
    }
    return problems;
  },
  deliver: (n, deps) => deliverEmail(n, deps),
  // The pooled SMTP transports, one per account.
  close: closeEmailTransports,
  conformance: {
    params: () => ({ to: 'a@example.com', subject: 's', text_body: 'b' }),
    account: {
      example: () => ({ host: '127.0.0.1', port: 2525, user: 'vigil', password: 'confMailPassMM5566', proxy_host: '127.0.0.1', proxy_port: 1080, proxy_user: 'p', proxy_password: 'confProxyPassPP7788' }),
      secrets: ['confMailPassMM5566', 'confProxyPassPP7788'],
    },
    // SMTP: its delivery classification and leaks are covered by the e-mail suites against an SMTP peer.
    overHttp: false,
  },
};
