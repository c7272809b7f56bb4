/**
 * One e-mail, sent through whichever sender account the action names: SMTP (`email`), SES or
 * Exchange. The account's type decides the transport; the request, the envelope rules and the
 * result are the same for all three.
 */
import type { DeliveryResult, TestAccountDeps } from '../types.ts';
import type { EmailAccount } from './account.ts';
import type { SendContext } from './context.ts';
import { EXCHANGE, type ExchangeAccount } from './exchange/account.ts';
import { sendExchange } from './exchange/send.ts';
import { groupReader } from './groups.ts';
import type { EmailRequest } from './request.ts';
import { SES, type SesAccount } from './ses/account.ts';
import { sendSes } from './ses/send.ts';
import { sendSmtp } from './smtp-send.ts';
import { acquireTransport, buildTransport, evictTransport, type EmailTransport } from './transport.ts';

/**
 * Sends `request` through `account` of `accountType` (undefined: an SMTP `email` account). SMTP uses the
 * pooled transport of `pooledAs` (an account reference), or without it a transport of its own, closed
 * afterwards (account tests: an edited account never disturbs the pool of the saved one).
 */
export async function sendWith(accountType: string | undefined, request: EmailRequest, account: unknown, ctx: SendContext, pooledAs?: string): Promise<DeliveryResult> {
  if (accountType === SES) return sendSes(request, account as SesAccount, ctx);
  if (accountType === EXCHANGE) return sendExchange(request, account as ExchangeAccount, ctx);
  const smtp = account as EmailAccount;
  if (pooledAs !== undefined) {
    return sendSmtp(request, smtp, { ...ctx, transport: () => acquireTransport(pooledAs, smtp, ctx.logger), onTlsFailure: () => evictTransport(pooledAs) });
  }
  let built: Promise<EmailTransport> | undefined;
  try {
    return await sendSmtp(request, smtp, { ...ctx, transport: () => (built ??= buildTransport(smtp, ctx.logger)), onTlsFailure: () => undefined });
  } finally {
    if (built) await built.then((t) => t.close(), () => undefined);
  }
}

/** The send context of an account test: the test's seams, no attachments, a key of its own. */
export function testContext(deps: TestAccountDeps, http = deps.http): SendContext {
  return {
    http,
    attachmentHttp: http,
    logger: deps.logger,
    signal: deps.signal,
    clock: deps.clock,
    idempotencyKey: `account-test-${deps.clock.now()}`,
    egress: deps.egress,
    groups: groupReader(deps.lookupAccount),
    daemonAwsCredentials: deps.daemonAwsCredentials,
  };
}
