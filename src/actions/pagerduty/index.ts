/**
 * PagerDuty Events API v2. Trigger on fire; `resolve` with the same dedup_key when the situation ends
 * (`auto_resolve`, default true); `acknowledge` when acked in Vigil (`send_acknowledge`). The default
 * dedup_key is the episode key, so retries, restarts and re-fires of one episode make one PD alert.
 * PagerDuty answers 202 on success, 400 for an invalid event (permanent), 429 and 5xx (retried).
 */
import { z } from 'zod';
import type { ActionType, DeliverDeps, DeliveryResult } from '../types.ts';
import { urlDestination } from '../shared/account-destination.ts';
import { responseDetail, send, statusFailure } from '../shared/http-outcome.ts';
import { testDeliverDeps, type TestAccountDeps, type TestAccountResult } from '../shared/test-account.ts';
import { compilePagerduty, type PdEvent } from './render.ts';
import { PD_DEFAULT_URL, pagerdutyAccount, pagerdutyParams, type PagerdutyAccount, type PagerdutyParams } from './schema.ts';

async function enqueue(ev: PdEvent, deps: DeliverDeps<PagerdutyAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'pagerduty action needs a pagerduty account' };
  const key = account.integration_key;
  const secrets = [key];
  const details = ev.payload?.custom_details as { _truncated?: unknown } | undefined;
  if (details && typeof details === 'object' && details._truncated) {
    deps.logger.warn({ dedup_key: ev.dedup_key }, 'pagerduty custom_details truncated to fit the 512 KB event limit');
  }
  const body = JSON.stringify({ routing_key: key, ...ev });
  const sent = await send(
    deps.http,
    { method: 'POST', url: account.url ?? PD_DEFAULT_URL, headers: { 'content-type': 'application/json' }, body, signal: deps.signal },
    secrets,
  );
  if ('failure' in sent) return sent.failure;
  const { res } = sent;
  if (res.status === 202) {
    let response: unknown;
    try {
      response = JSON.parse(res.body);
    } catch {
      response = undefined;
    }
    return { ok: true, detail: `${ev.event_action} accepted (dedup_key ${ev.dedup_key})`, response };
  }
  return statusFailure(res, deps.clock.now(), responseDetail(res, secrets));
}

/** `_test` for a PagerDuty account: a trigger and its resolve with the same dedup_key. */
export async function testAccount(account: PagerdutyAccount, _opts: Record<string, never>, deps: TestAccountDeps): Promise<TestAccountResult> {
  const dedup = `vigil-account-test-${deps.clock.now()}`;
  const d = testDeliverDeps(account, deps, dedup);
  const trigger = await enqueue(
    {
      event_action: 'trigger',
      dedup_key: dedup,
      payload: { summary: 'Vigil account test (resolved immediately)', source: 'vigil', severity: 'info' },
      client: 'Vigil',
    },
    d,
  );
  if (!trigger.ok) return { ...trigger, steps: ['trigger'] };
  const resolve = await enqueue({ event_action: 'resolve', dedup_key: dedup }, d);
  return { ...resolve, steps: ['trigger', 'resolve'] };
}

export const pagerdutyAction: ActionType<PagerdutyParams, PagerdutyAccount> = {
  type: 'pagerduty',
  params: pagerdutyParams,
  account: {
    ...pagerdutyAccount,
    required: true,
    destination: (account) => urlDestination(account.url ?? PD_DEFAULT_URL),
    test: { body: z.strictObject({}), run: testAccount },
  },
  compile: compilePagerduty,
  deliver: (n, deps) => enqueue(n.request as PdEvent, deps),
  conformance: {
    params: () => ({ event: { payload: { summary: 'hello {{data.x}}' } } }),
    account: { example: (base) => ({ integration_key: 'confPdKey0000000000000000000077', url: `${base}/v2/enqueue` }), secrets: ['confPdKey0000000000000000000077'] },
    overHttp: true,
  },
};
