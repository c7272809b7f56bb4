/**
 * `POST /_plugins/_notifications/feature/test/{config_id}`: a test message through the channel, by the
 * same path as a `notification` action's delivery (the channel's type formats and sends it, with the
 * channel's account and its pinned HTTP client), not through the outbox. The answer is the plugin's
 * event: the event source and one status per channel; a message that was not delivered is an error
 * response carrying the same statuses (`event_status_list`), as the plugin answers.
 */
import { sendChannelMessage } from '../../actions/notification/index.ts';
import type { DeliverDeps, DeliveryResult, OpenedAccount } from '../../actions/types.ts';
import { VigilError } from '../../errors.ts';

export interface TestMessageInput {
  configId: string;
  configType: string;
  configName: string;
  channel: OpenedAccount;
  deps: Omit<DeliverDeps<unknown>, 'account' | 'accountId' | 'idempotencyKey' | 'episodeKey' | 'attempt' | 'searchClient'>;
  now: number;
}

export interface TestMessageOutcome {
  status: number;
  body: Record<string, unknown>;
}

/** The plugin's test message, for one config. */
export function testMessage(configId: string) {
  return { subject: `Test Message Title-${configId}`, message: `Test message content body for config id ${configId}`, severity: 'info' };
}

function deliveryStatus(r: DeliveryResult) {
  return r.ok ? { status_code: '200', status_text: r.detail ?? 'Success' } : { status_code: r.code, status_text: r.message };
}

/** Per-recipient statuses when the send answers with accepted and refused recipients (e-mail). */
function recipientStatuses(r: DeliveryResult): Array<{ recipient: string; delivery_status: { status_code: string; status_text: string } }> {
  const resp = r.ok ? (r.response as { accepted?: unknown; rejected?: unknown } | undefined) : undefined;
  if (!resp || !Array.isArray(resp.accepted) || !Array.isArray(resp.rejected)) return [];
  return [
    ...resp.accepted.map((a) => ({ recipient: String(a), delivery_status: { status_code: '200', status_text: 'Success' } })),
    ...resp.rejected.map((a) => ({ recipient: String(a), delivery_status: { status_code: 'REJECTED', status_text: 'refused by the server' } })),
  ];
}

export function eventStatus(i: Pick<TestMessageInput, 'configId' | 'configType' | 'configName'>, r: DeliveryResult) {
  return { config_id: i.configId, config_type: i.configType, config_name: i.configName, email_recipient_status: recipientStatuses(r), delivery_status: deliveryStatus(r) };
}

/** The response to a test whose channel could not even be used (disabled, its sender missing…). */
export function refusedTest(i: Pick<TestMessageInput, 'configId' | 'configType' | 'configName'>, e: VigilError): TestMessageOutcome {
  return { status: e.status, body: { ...e.toJSON(), event_status_list: [eventStatus(i, { ok: false, retry: false, code: e.code, message: e.message })] } };
}

export async function runTestMessage(i: TestMessageInput): Promise<TestMessageOutcome> {
  const key = `vigil-notifications-test-${i.configId}-${i.now}`;
  const deps: DeliverDeps<unknown> = {
    ...i.deps,
    account: undefined,
    accountId: undefined,
    idempotencyKey: key,
    episodeKey: key,
    attempt: 1,
    searchClient() {
      throw new Error('a test message uses no cluster');
    },
  };
  const r = await sendChannelMessage(i.channel, testMessage(i.configId), deps);
  const status = eventStatus(i, r);
  if (r.ok) {
    return {
      status: 200,
      body: { event_source: { title: testMessage(i.configId).subject, reference_id: i.configId, severity: 'info', tags: [] }, status_list: [status] },
    };
  }
  const e = new VigilError(r.code === 'ACCOUNT_DISABLED' ? 'ACCOUNT_DISABLED' : 'DELIVERY_FAILED', `the test message to ${i.configId} was not delivered: ${r.code}: ${r.message}`);
  return { status: e.status, body: { ...e.toJSON(), event_status_list: [status] } };
}
