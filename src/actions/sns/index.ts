/**
 * Amazon SNS `Publish` (Query protocol), signed with SigV4 by the maintained signer, with the account's
 * long-term keys (the daemon's own when it has none) or with temporary keys from assuming its role
 * through STS with them (cached until shortly before they expire). The topic is the action's
 * `topic_arn` or the account's; FIFO topics get a message group and a deduplication id derived from the
 * notification's idempotency key, so a retry within SNS's five-minute window is not delivered twice.
 * Failures are classified as `aws-outcome.ts` says.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ActionType, ChannelMessage, DeliverDeps, DeliveryResult, RenderedNotification } from '../types.ts';
import { VigilError } from '../../errors.ts';
import { AwsCredentialProvider } from '../../net/aws/credentials.ts';
import { parseXml, queryError, xmlValue } from '../../net/aws/errors.ts';
import { queryBody, QUERY_CONTENT_TYPE } from '../../net/aws/query.ts';
import { awsOrigins, serviceEndpoint } from '../shared/aws-account.ts';
import { awsSend } from '../shared/aws-outcome.ts';
import { testDeliverDeps, type TestAccountDeps } from '../shared/test-account.ts';
import { compileSns, fitMessage, snsNotification, snsSubject, type SnsRequest } from './render.ts';
import { isFifo, snsAccount, snsParams, topicRegion, type SnsAccount, type SnsParams } from './schema.ts';

/** Temporary credentials of the accounts that assume a role, shared by every SNS delivery. */
const credentials = new AwsCredentialProvider();

/** The Publish parameters, in the order the SDKs send them. */
function publishParams(r: SnsRequest, topic: string, idempotencyKey: string): Array<[string, string]> {
  const params: Array<[string, string]> = [
    ['Action', 'Publish'],
    ['Version', '2010-03-31'],
    ['TopicArn', topic],
    ['Message', r.message],
  ];
  if (r.subject !== undefined) params.push(['Subject', r.subject]);
  r.attributes.forEach((a, i) => {
    const p = `MessageAttributes.entry.${i + 1}`;
    params.push([`${p}.Name`, a.name], [`${p}.Value.DataType`, a.data_type], [`${p}.Value.StringValue`, a.value]);
  });
  if (isFifo(topic)) {
    params.push(['MessageGroupId', r.message_group_id], ['MessageDeduplicationId', createHash('sha256').update(idempotencyKey).digest('hex')]);
  }
  return params;
}

async function publish(r: SnsRequest, deps: DeliverDeps<SnsAccount>): Promise<DeliveryResult> {
  const account = deps.account;
  if (!account) return { ok: false, retry: false, code: 'ACCOUNT_NOT_FOUND', message: 'sns action needs an sns account' };
  const topic = r.topic_arn ?? account.topic_arn;
  if (topic === undefined) return { ok: false, retry: false, code: 'INVALID_REQUEST', message: 'no topic: set topic_arn in the action or the account' };
  const url = `${serviceEndpoint(account, 'sns').replace(/\/+$/, '')}/`;
  const sent = await awsSend(
    {
      service: 'SNS',
      signingName: 'sns',
      request: { method: 'POST', url, headers: { 'content-type': QUERY_CONTENT_TYPE }, body: queryBody(publishParams(r, topic, deps.idempotencyKey)), signal: deps.signal },
      readError: queryError,
    },
    account,
    credentials,
    deps,
  );
  if ('failure' in sent) return sent.failure;
  const messageId = xmlValue(parseXml(sent.res.body), 'PublishResponse', 'PublishResult', 'MessageId');
  if (!messageId) return { ok: false, retry: false, code: 'UNEXPECTED_RESPONSE', message: `SNS ${sent.res.status}: the answer names no MessageId` };
  return { ok: true, detail: `published ${messageId}`, response: { MessageId: messageId } };
}

/** `_test` for an SNS account: publishes one message to the account's topic (or the one given). */
export async function testAccount(account: SnsAccount, opts: { subject?: string; message?: string; topic_arn?: string }, deps: TestAccountDeps): Promise<DeliveryResult> {
  const r: SnsRequest = {
    ...(opts.topic_arn !== undefined ? { topic_arn: opts.topic_arn } : {}),
    subject: snsSubject(opts.subject ?? 'Vigil test message')!,
    message: opts.message ?? 'This SNS account works.',
    attributes: [],
    message_group_id: 'vigil.account-test',
  };
  return publish(r, testDeliverDeps(account, deps, `sns-test-${deps.clock.now()}`));
}

/** A channel message as a Publish to the account's topic, its severity as the `severity` attribute. */
export function formatChannelMessage(msg: ChannelMessage, account: SnsAccount): RenderedNotification {
  if (account.topic_arn === undefined) throw new VigilError('INVALID_REQUEST', 'the sns account has no topic_arn');
  const attributes = msg.severity ? [{ name: 'severity', data_type: 'String' as const, value: msg.severity }] : [];
  const subject = snsSubject(msg.subject);
  return snsNotification({
    topic_arn: account.topic_arn,
    ...(subject !== undefined ? { subject } : {}),
    message: fitMessage(msg.message || msg.subject, attributes),
    attributes,
    message_group_id: 'vigil',
  });
}

export const snsAction: ActionType<SnsParams, SnsAccount> = {
  type: 'sns',
  params: snsParams,
  account: {
    ...snsAccount,
    required: true,
    destination: (account) => ({ origins: awsOrigins(account, 'sns') }),
    test: {
      body: z.strictObject({ subject: z.string().max(100).optional(), message: z.string().min(1).max(10_000).optional(), topic_arn: snsParams.shape.topic_arn }),
      run: testAccount,
    },
  },
  compile: compileSns,
  checkAccount(params, account) {
    const topic = params.topic_arn ?? account.topic_arn;
    if (topic === undefined) return [['topic_arn', 'no topic: set topic_arn in the action or in the sns account']];
    if (topicRegion(topic) !== account.region) return [['topic_arn', `the topic is in ${topicRegion(topic)}; the sns account publishes in ${account.region}`]];
    return [];
  },
  deliver: (n, deps) => publish(n.request as SnsRequest, deps),
  close: async () => credentials.clear(),
  channel: { format: formatChannelMessage },
  conformance: {
    params: () => ({ subject: 'Watch {{watch.id}}', message: 'hello {{data.x}}' }),
    account: {
      example: (base) => ({
        region: 'eu-west-1',
        topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
        access_key_id: 'AKIACONFORMANCE00001',
        secret_access_key: 'confSnsSecretKeyWW7171/abc+def',
        endpoint: base,
      }),
      secrets: ['confSnsSecretKeyWW7171/abc+def'],
    },
    overHttp: true,
  },
};
