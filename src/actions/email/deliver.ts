/**
 * deliver(n, deps) and the senders' account tests. A delivery joins the rendered request with the
 * account the action names (SMTP, SES or Exchange: dispatch.ts), whose defaults, recipient groups and
 * domain allowlist apply the same way for all three (envelope.ts). Never throws for remote failures:
 * every failure becomes a classified DeliveryResult scrubbed of the account's secrets.
 */
import { z } from 'zod';
import type { DeliverDeps, DeliveryResult, RenderedNotification, TestAccountDeps } from '../types.ts';
import { formatMailbox, parseAddresses } from './addresses.ts';
import { TEST_MESSAGE } from './context.ts';
import { sendWith, testContext } from './dispatch.ts';
import { entries, groupReader, isGroupRef, recipientsField, type RecipientsInput } from './groups.ts';
import { asEmailRequest, type EmailRequest } from './request.ts';

export async function deliverEmail(n: RenderedNotification, deps: DeliverDeps<unknown>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'the email action needs an email, ses or exchange account' };
  const request = asEmailRequest(n.request);
  if (!request) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'not an email request' };
  const ctx = {
    http: deps.http,
    attachmentHttp: deps.plainHttp ?? deps.http,
    logger: deps.logger,
    signal: deps.signal,
    clock: deps.clock,
    idempotencyKey: deps.idempotencyKey,
    egress: deps.egress,
    groups: groupReader(deps.lookupAccount),
    daemonAwsCredentials: deps.daemonAwsCredentials,
  };
  return sendWith(deps.accountType, request, account, ctx, deps.accountId ?? 'default');
}

/** Input of a sender's test (`POST /_signals/account/{email|ses|exchange}/{id}/_test`). */
export interface TestAccountInput {
  /** Recipients (addresses and groups); default the account's default_to. */
  to?: RecipientsInput;
}

export const testAccountBody = z.strictObject({ to: recipientsField.optional() });

/** The test message to `to` (empty: the account's defaults). */
export function testRequest(to: RecipientsInput | undefined): EmailRequest {
  const list = entries(to);
  const groups = list.filter(isGroupRef).map((g) => g.group);
  return {
    to: parseAddresses(list.filter((e): e is string => typeof e === 'string')).mailboxes.map(formatMailbox),
    cc: [],
    bcc: [],
    from: '',
    reply_to: [],
    subject: TEST_MESSAGE.subject,
    text: TEST_MESSAGE.text,
    attachments: [],
    ...(groups.length > 0 ? { groups: { to: groups } } : {}),
  };
}

/**
 * The `_test` of a sender account type: a real test message through the same code path as `deliver`
 * (same envelope rules, same classification). Returns the server's reply or the classified error.
 */
export function senderTest(accountType: string | undefined) {
  return (account: unknown, input: TestAccountInput, deps: TestAccountDeps): Promise<DeliveryResult> => sendWith(accountType, testRequest(input.to), account, testContext(deps));
}

/** The SMTP account's test. */
export const testAccount = senderTest(undefined);
