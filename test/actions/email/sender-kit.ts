/**
 * The three e-mail senders side by side for tests: an SMTP peer, the SES v2 stand-in (with STS), and the
 * identity platform and Graph stand-ins, on one fake clock; accounts for each; a delivery helper that
 * gives the action what the deliverer would (the account's type, the client pinned to its destination,
 * the unpinned client for attachments, recipient groups from a map); and what each service received,
 * reduced to one shape.
 */
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { emailAction, type EmailParams } from '../../../src/actions/email/index.ts';
import type { DeliveryResult, RenderedNotification } from '../../../src/actions/types.ts';
import { accountHttp } from '../../../src/actions/shared/account-destination.ts';
import { builtinRegistry } from '../../../src/registry/builtin.ts';
import { VigilError } from '../../../src/errors.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { startSesStandIn, type SesStandIn } from '../../kit/receivers/aws/ses.ts';
import { startStsStandIn, type StsStandIn } from '../../kit/receivers/aws/sts.ts';
import { startIdentityStandIn, type IdentityStandIn } from '../../kit/receivers/microsoft/identity.ts';
import { startGraphStandIn, type GraphStandIn } from '../../kit/receivers/microsoft/graph.ts';
import { startSmtpPeer, type SmtpPeer } from '../../kit/smtp-peer.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, renderInfo, view } from '../../kit/action-deps.ts';

export const TENANT = '8f2c1a3e-1111-4c4c-9999-0123456789ab';
export const APP = { clientId: '0b1c2d3e-aaaa-4bbb-8ccc-0123456789ab', secret: 'Graph~Client.Secret-0123456789abcdefXY' };
export const ROLE = 'arn:aws:iam::123456789012:role/vigil-mailer';
export const MAILBOX = 'vigil@example.com';

export type Sender = 'email' | 'ses' | 'exchange';
export const SENDERS: Sender[] = ['email', 'ses', 'exchange'];

/** What a service received, one shape for all three. */
export interface Received {
  from: string;
  subject: string;
  to: string[];
  cc: string[];
  bcc: string[];
  text?: string;
  html?: string;
  attachments: Array<{ filename: string; content: string }>;
}

export interface SenderKit {
  clock: FakeClock;
  http: HttpClient;
  smtp: SmtpPeer;
  ses: SesStandIn;
  sts: StsStandIn;
  idp: IdentityStandIn;
  graph: GraphStandIn;
  /** Recipient groups by id, read at each send. */
  groups: Map<string, { emails: string[] }>;
  /** An account of `sender`'s type reaching its stand-in, with `over` merged in. */
  account(sender: Sender, over?: Record<string, unknown>): unknown;
  render(params: Record<string, unknown>, data?: Record<string, unknown>): RenderedNotification;
  deliver(n: RenderedNotification, sender: Sender, account?: unknown, key?: string): Promise<{ result: DeliveryResult; logText: () => string }>;
  /** The last message `sender`'s service received. */
  last(sender: Sender): Promise<Received>;
  /** How many messages `sender`'s service has received. */
  count(sender: Sender): number;
  close(): Promise<void>;
}

const registry = builtinRegistry();

const addr = (a: { value: Array<{ address?: string }> } | Array<{ value: Array<{ address?: string }> }> | undefined) =>
  (a === undefined ? [] : Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase()));

function fromParsed(p: ParsedMail, bcc: string[]): Received {
  return {
    from: p.from?.value[0]?.address ?? '',
    subject: p.subject ?? '',
    to: addr(p.to as never),
    cc: addr(p.cc as never),
    bcc,
    ...(p.text !== undefined ? { text: p.text.trim() } : {}),
    ...(typeof p.html === 'string' ? { html: p.html } : {}),
    attachments: p.attachments.map((a) => ({ filename: a.filename ?? '', content: a.content.toString('utf8') })),
  };
}

export async function startSenderKit(): Promise<SenderKit> {
  const clock = new FakeClock('2025-03-01T12:00:00Z');
  const keys = new AwsKeyring();
  const smtp = await startSmtpPeer();
  const ses = await startSesStandIn({ keys, clock, region: 'eu-west-1', identities: ['example.com'], configurationSets: ['alerts'] });
  const sts = await startStsStandIn({ keys, clock, region: 'eu-west-1', roles: [{ arn: ROLE }] });
  // The Graph stand-in on 127.0.0.1 is its own cloud (as a sovereign one would be): the account's
  // graph_url is its URL, so tokens are asked for that audience, which the identity stand-in must know.
  let idp: IdentityStandIn | undefined;
  let graphUrl = '';
  const graph = await startGraphStandIn({ identity: { check: (t: string) => idp!.check(t, graphUrl) } as unknown as IdentityStandIn, clock, tenant: TENANT, mailboxes: [MAILBOX] });
  graphUrl = graph.url;
  idp = await startIdentityStandIn({ clock, tenants: { [TENANT]: { apps: [APP], domains: ['example.com'] } }, resources: [graph.url] });
  const identity = idp;
  const http = createTestHttpClient({ readTimeoutMs: 1000 });
  const groups = new Map<string, { emails: string[] }>();

  const account = (sender: Sender, over: Record<string, unknown> = {}): unknown => {
    const base: Record<string, unknown> =
      sender === 'email'
        ? { host: smtp.host, port: smtp.port, default_from: 'Vigil <vigil@example.com>' }
        : sender === 'ses'
          ? { region: 'eu-west-1', from: 'Vigil <vigil@example.com>', access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey, endpoint: ses.url }
          : { tenant_id: TENANT, client_id: APP.clientId, client_secret: APP.secret, from: MAILBOX, authority_url: identity.url, graph_url: graph.url };
    return registry.accountType(sender)!.manifest.schema.parse({ ...base, ...over });
  };

  let seq = 0;
  const deliver = async (n: RenderedNotification, sender: Sender, acc = account(sender), key = `idem-${++seq}`) => {
    const manifest = registry.accountType(sender)!.manifest;
    const { deps, logText } = deliverDeps(accountHttp({ account: manifest }, acc, http), acc, {
      accountType: sender,
      accountId: `${sender}:acc-${++seq}`,
      plainHttp: http,
      clock,
      idempotencyKey: key,
      lookupAccount: async (type, id) => {
        const g = type === 'email_group' ? groups.get(id) : undefined;
        if (!g) throw new VigilError('ACCOUNT_NOT_FOUND', `no ${type} account ${id}`);
        return g;
      },
    });
    return { result: await emailAction.deliver(n, deps), logText };
  };

  const render = (params: Record<string, unknown>, data: Record<string, unknown> = { n: 3 }) =>
    emailAction.compile(emailAction.params.parse(params) as EmailParams, templateEnv()).render(view(data), renderInfo());

  const last = async (sender: Sender): Promise<Received> => {
    if (sender === 'email') {
      const m = smtp.messages.at(-1)!;
      const headerRcpts = new Set([...addr(m.parsed.to as never), ...addr(m.parsed.cc as never)]);
      return fromParsed(m.parsed, m.envelope.to.map((a) => a.toLowerCase()).filter((a) => !headerRcpts.has(a)));
    }
    if (sender === 'ses') {
      const m = ses.sent().at(-1)!;
      return { ...fromParsed(m.raw!, m.bcc.map((a) => a.toLowerCase())), to: m.to.map((a) => a.toLowerCase()), cc: m.cc.map((a) => a.toLowerCase()) };
    }
    const m = graph.sent().at(-1)!.message;
    const list = (r: typeof m.toRecipients) => (r ?? []).map((x) => x.emailAddress.address.toLowerCase());
    return {
      from: MAILBOX,
      subject: m.subject ?? '',
      to: list(m.toRecipients),
      cc: list(m.ccRecipients),
      bcc: list(m.bccRecipients),
      ...(m.body?.contentType === 'HTML' ? { html: m.body.content } : { text: m.body?.content ?? '' }),
      attachments: (m.attachments ?? []).map((a) => ({ filename: a.name, content: Buffer.from(a.contentBytes, 'base64').toString('utf8') })),
    };
  };

  return {
    clock,
    http,
    smtp,
    ses,
    sts,
    idp: identity,
    graph,
    groups,
    account,
    render,
    deliver,
    last,
    count: (sender) => (sender === 'email' ? smtp.messages.length : sender === 'ses' ? ses.sent().length : graph.sent().length),
    async close() {
      await emailAction.close?.();
      await http.close();
      await Promise.all([smtp.close(), ses.close(), sts.close(), identity.close(), graph.close()]);
    },
  };
}

/** Parses a raw MIME message (for tests that look at one message closely). */
export const parseMime = (raw: Buffer | string) => simpleParser(raw);
