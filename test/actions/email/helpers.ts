/** Shared helpers for the email action tests: render a notification and deliver it against a peer. */
import { afterAll, afterEach } from 'vitest';
import { closeEmailTransports, emailAction, type EmailAccount, type EmailParams } from '../../../src/actions/email/index.ts';
import type { DeliveryResult, RenderedNotification, TemplateView, TestAccountDeps } from '../../../src/actions/types.ts';
import type { Logger } from 'pino';
import { deliverDeps, renderInfo, view } from '../../kit/action-deps.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';

export const PASSWORD = 'pw-Sup3r$ecret-7781';
export const PROXY_PASSWORD = 'px-Pr0xy$ecret-4412';

export function render(params: Record<string, unknown>, v: TemplateView = view({ n: 3 })): RenderedNotification {
  const parsed = emailAction.params.parse(params) as EmailParams;
  return emailAction.compile(parsed, templateEnv()).render(v, renderInfo());
}

export function account(a: Record<string, unknown>): EmailAccount {
  return emailAction.account!.schema.parse(a);
}

let seq = 0;

/**
 * Delivers `n` with `acc`. Each call uses a fresh account id unless `accountId` is given, so pooled
 * transports from other tests are never reused by accident.
 */
export async function deliver(
  n: RenderedNotification,
  acc: EmailAccount,
  opts: { accountId?: string; signal?: AbortSignal } = {},
): Promise<{ result: DeliveryResult; logText: () => string }> {
  const { deps, logText } = deliverDeps(createTestHttpClient(), acc, {
    accountId: opts.accountId ?? `acc-${++seq}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const result = await emailAction.deliver(n, deps);
  return { result, logText };
}

export const basicParams = {
  to: 'Ops Team <ops@example.com>',
  from: 'Vigil <vigil@example.com>',
  subject: 'Disk at {{data.n}}%',
  text_body: 'Plain: {{data.n}}',
};

/** The seams an account test gets from the `_test` route: the test HTTP client and egress check, and `logger`. */
export function testDeps(logger: Logger): TestAccountDeps {
  return deliverDeps(createTestHttpClient(), undefined, { logger }).deps;
}

/**
 * Registers a test file's cleanup: after each test the pooled e-mail transports are closed (so no test
 * reuses another's connection) and then every peer handed to the returned `keep`, which gives it back.
 */
export function closeAfterEach(): <P extends { close(): unknown }>(peer: P) => P {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    await closeEmailTransports();
    await Promise.all(open.splice(0).map((p) => p.close()));
  });
  afterAll(closeEmailTransports);
  return (peer) => {
    open.push(peer);
    return peer;
  };
}
