/**
 * What every e-mail sender (SMTP, SES, Exchange) gets for one send, whether a delivery or an account
 * test: the HTTP client held to the sender account's destination, one that is not (for `request`
 * attachments, which carry nothing of the account), the group reader and the usual seams.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { HttpClient } from '../../net/types.ts';
import type { HostCheck } from '../../net/host-check.ts';
import type { AwsCredentials } from '../../net/aws/sigv4.ts';
import type { GroupReader } from './groups.ts';

export interface SendContext {
  /** Held to the sender account's destination (SES's and STS's endpoints, Graph's and the identity platform's). */
  http: HttpClient;
  /** For `request` attachments: they carry no account secret, so they are not held to the account's destination. */
  attachmentHttp: HttpClient;
  logger: Logger;
  signal: AbortSignal;
  clock: Clock;
  /** Stable per notification: the Message-ID and the deduplication header come from it. */
  idempotencyKey: string;
  /** The egress policy for the SMTP server and its SOCKS proxy. */
  egress: HostCheck;
  /** Reads recipient groups. */
  groups: GroupReader;
  /** What an `ses` account without keys signs with (see `DeliverDeps.daemonAwsCredentials`). */
  daemonAwsCredentials?: AwsCredentials | undefined;
}

/** The subject and bodies of an account test's message. */
export const TEST_MESSAGE = {
  subject: 'Vigil test message',
  text: 'This is a test message sent by Vigil to check an email account.',
} as const;
