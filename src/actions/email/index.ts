/**
 * The email action, sent through an SMTP (`email`), Amazon SES (`ses`) or Microsoft Exchange
 * (`exchange`, Graph) account: the account's type decides the transport, everything else is the same.
 *
 * - params: `to`, `cc`, `bcc` (addresses and recipient groups), `from`, `reply_to`, `subject`,
 *   `text_body`, `html_body`, `markdown_body`, `attachments` (see params.ts);
 * - accounts: account.ts (SMTP: TLS modes, trusted_hosts, SOCKS5, timeouts), ses/, exchange/, and the
 *   `email_group` recipient groups (groups.ts); defaults and the domain allowlist: defaults.ts;
 * - render: render.ts; send: deliver.ts → dispatch.ts; pooled SMTP transports: transport.ts.
 */
import type { ActionType } from '../types.ts';
import { emailAccount, type EmailAccount } from './account.ts';
import { isTemplated, parseAddresses, refusedByAllowlist } from './addresses.ts';
import { deliverEmail, testAccount, testAccountBody } from './deliver.ts';
import { DEFAULT_RECIPIENT_FIELDS, type SenderDefaults } from './defaults.ts';
import { EXCHANGE } from './exchange/account.ts';
import { exchangeType } from './exchange/index.ts';
import { exchangeTokens } from './exchange/send.ts';
import { groupTest } from './group-test.ts';
import { emailGroupType, groupLinks } from './groups.ts';
import { ADDRESS_FIELDS, RECIPIENT_FIELDS, emailParamsSchema, type EmailParams } from './params.ts';
import { compileEmail } from './render.ts';
import { formatChannelMessage } from './channel.ts';
import { sesType } from './ses/index.ts';
import { sesCredentials } from './ses/send.ts';
import { closeEmailTransports } from './transport.ts';
import { bareAddress } from './envelope.ts';

export type { EmailAccount } from './account.ts';
export type { EmailParams } from './params.ts';
export type { EmailRequest, EmailAttachment } from './request.ts';
export { testAccount, type TestAccountInput } from './deliver.ts';
export { closeEmailTransports } from './transport.ts';

/** The domain allowlist applies to the sender and the recipients; Reply-To is where answers go, not mail. */
const ALLOWLIST_FIELDS = ADDRESS_FIELDS.filter((f) => f !== 'reply_to');

type SenderAccount = SenderDefaults & { from?: string | undefined };

export const emailAction: ActionType<EmailParams, EmailAccount> = {
  type: 'email',
  params: emailParamsSchema,
  account: {
    ...emailAccount,
    required: true,
    // The password goes only to the SMTP server and the proxy password only to the SOCKS proxy, both
    // named by the account alone; the HTTP client only fetches `request` attachments, without secrets.
    destination: () => null,
    test: { body: testAccountBody, run: testAccount },
  },
  linkedAccounts: [sesType, exchangeType, { ...emailGroupType, test: groupTest }],
  // Called at load with the account; templated addresses are checked again at send time, groups too.
  checkAccount(params, account, accountType) {
    const problems: Array<[string, string]> = [];
    const sender = account as SenderAccount;
    if (accountType === EXCHANGE && typeof params.from === 'string' && !isTemplated(params.from)) {
      const mailbox = bareAddress(sender.from!);
      if (bareAddress(params.from).toLowerCase() !== mailbox.toLowerCase()) problems.push(['from', `an exchange account sends from its mailbox ${mailbox}; leave from out or set it to that address`]);
    }
    if (sender.domain_allowlist === undefined) return problems;
    for (const field of ALLOWLIST_FIELDS) {
      const value = params[field];
      if (value === undefined) continue;
      const list = Array.isArray(value) ? value : [value];
      list.forEach((entry, i) => {
        // Templated addresses are only known at send time, where the allowlist is enforced again.
        if (typeof entry !== 'string' || isTemplated(entry)) return;
        const refused = refusedByAllowlist(parseAddresses(entry).mailboxes, sender.domain_allowlist);
        if (refused.length > 0) {
          problems.push([Array.isArray(value) ? `${field}[${i}]` : field, `domain not in the account's domain_allowlist: ${refused.join(', ')}`]);
        }
      });
    }
    return problems;
  },
  references: {
    params: (params) => groupLinks(params, RECIPIENT_FIELDS),
    account: (_type, account) => groupLinks(account as Record<string, unknown>, DEFAULT_RECIPIENT_FIELDS),
  },
  compile: (params, env) => compileEmail(params, env),
  deliver: (n, deps) => deliverEmail(n, deps),
  // An e-mail account with default recipients (or an SES or Exchange one) is a channel by itself.
  channel: { format: formatChannelMessage },
  // The pooled SMTP transports, one per account; the cached SES credentials and Graph tokens.
  async close() {
    sesCredentials.clear();
    exchangeTokens.clear();
    await closeEmailTransports();
  },
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
