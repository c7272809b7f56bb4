import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { signedCall } from '../../kit/receivers/aws/signed-request.ts';
import { startSnsStandIn, type SnsStandIn } from '../../kit/receivers/aws/sns.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { HOSTILE, queryCall, queryErrorOf, xml } from './aws-helpers.ts';

const clock = new FakeClock('2025-06-01T08:00:00Z');
const keys = new AwsKeyring();
const REGION = 'eu-central-1';
let sns: SnsStandIn;
let ALERTS: string;

beforeAll(async () => {
  sns = await startSnsStandIn({ keys, clock, region: REGION, topics: ['alerts', 'orders.fifo', 'locked'] });
  ALERTS = sns.topicArn('alerts');
});
afterAll(() => sns.close());

const publish = (params: Record<string, string>, over = {}) =>
  queryCall(sns.url, 'sns', REGION, { Action: 'Publish', Version: '2010-03-31', TopicArn: ALERTS, ...params }, clock, TEST_USER, over);

const errorOf = async (params: Record<string, string>) => {
  const r = await publish(params);
  return { status: r.status, ...queryErrorOf(r) };
};

describe('SNS stand-in: Publish', () => {
  it('accepts a message with subject and attributes, records it exactly and answers PublishResponse', async () => {
    const message = `${HOSTILE}\nline two&Subject=injected`;
    const r = await publish({
      Subject: 'Disk full on web-1 (95%) <critical> & "loud"',
      Message: message,
      'MessageAttributes.entry.1.Name': 'severity',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': `high ${HOSTILE}`,
      'MessageAttributes.entry.2.Name': 'count',
      'MessageAttributes.entry.2.Value.DataType': 'Number',
      'MessageAttributes.entry.2.Value.StringValue': '-1.5e3',
      'MessageAttributes.entry.3.Name': 'blob',
      'MessageAttributes.entry.3.Value.DataType': 'Binary.gz',
      'MessageAttributes.entry.3.Value.BinaryValue': Buffer.from([0, 255, 1]).toString('base64'),
      'MessageAttributes.entry.4.Name': 'tags',
      'MessageAttributes.entry.4.Value.DataType': 'String.Array',
      'MessageAttributes.entry.4.Value.StringValue': '["a", 1, true, null]',
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/xml');
    const res = xml(r.body).PublishResponse;
    expect(res['@_xmlns']).toBe('http://sns.amazonaws.com/doc/2010-03-31/');
    const p = sns.published().at(-1)!;
    expect(res.PublishResult.MessageId).toBe(p.messageId);
    expect(res.ResponseMetadata.RequestId).toBe(r.headers['x-amzn-requestid']);
    expect(p).toMatchObject({ topicArn: ALERTS, message, subject: 'Disk full on web-1 (95%) <critical> & "loud"', accessKeyId: TEST_USER.accessKeyId });
    expect(p.attributes).toEqual({
      severity: { DataType: 'String', StringValue: `high ${HOSTILE}` },
      count: { DataType: 'Number', StringValue: '-1.5e3' },
      blob: { DataType: 'Binary.gz', BinaryValue: 'AP8B' },
      tags: { DataType: 'String.Array', StringValue: '["a", 1, true, null]' },
    });
  });

  it('checks the subject as SNS does: ASCII printable, no line breaks, at most 100 characters', async () => {
    expect((await publish({ Message: 'm', Subject: 'x'.repeat(100) })).status).toBe(200);
    for (const Subject of ['', 'x'.repeat(101), 'two\nlines', 'tab\there', 'caf\u00e9']) {
      expect(await errorOf({ Message: 'm', Subject }), JSON.stringify(Subject)).toMatchObject({ status: 400, Code: 'InvalidParameter', Message: 'Invalid parameter: Subject' });
    }
  });

  it('checks the message: required, at most 256 KiB with its attributes, MessageStructure json', async () => {
    expect(await errorOf({})).toMatchObject({ Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message' });
    expect(await errorOf({ Message: '' })).toMatchObject({ Message: 'Invalid parameter: Empty message' });
    expect((await publish({ Message: '\u00e9'.repeat(131_072) })).status).toBe(200);
    expect(await errorOf({ Message: `${'\u00e9'.repeat(131_072)}x` })).toMatchObject({ Message: 'Invalid parameter: Message too long' });
    const withAttr = {
      Message: 'x'.repeat(262_144 - 10),
      'MessageAttributes.entry.1.Name': 'k',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'vvvv',
    };
    expect(await errorOf(withAttr)).toMatchObject({ Message: 'Invalid parameter: Message too long' });
    expect((await publish({ Message: '{"default":"d","email":"e"}', MessageStructure: 'json' })).status).toBe(200);
    expect(await errorOf({ Message: '{"email":"e"}', MessageStructure: 'json' })).toMatchObject({
      Message: 'Invalid parameter: Message Structure - No default entry in JSON message body',
    });
  });

  it('checks message attributes and names the problem with ParameterValueInvalid', async () => {
    const attr = (n: number, name: string, type: string, value?: string) => ({
      [`MessageAttributes.entry.${n}.Name`]: name,
      [`MessageAttributes.entry.${n}.Value.DataType`]: type,
      ...(value !== undefined && { [`MessageAttributes.entry.${n}.Value.StringValue`]: value }),
    });
    const cases: Array<[Record<string, string>, RegExp]> = [
      [attr(1, 'k', 'String'), /must contain non-empty message attribute value for message attribute type 'String'/],
      [attr(1, 'k', 'Number', 'ten'), /Could not cast message attribute 'k' value to number/],
      [attr(1, 'k', 'Text', 'v'), /invalid message attribute type/],
      [attr(1, 'AWS.trace', 'String', 'v'), /reserved/],
      [attr(1, 'bad name', 'String', 'v'), /Invalid attribute name/],
      [{ ...attr(1, 'k', 'String', 'v'), ...attr(3, 'j', 'String', 'v') }, /entry\.2 is missing/],
      [Object.assign({}, ...Array.from({ length: 11 }, (_, i) => attr(i + 1, `k${i}`, 'String', 'v'))), /Number of message attributes \[11\] exceeds the allowed maximum \[10\]/],
    ];
    for (const [params, message] of cases) {
      const e = await errorOf({ Message: 'm', ...params });
      expect(e, JSON.stringify(params)).toMatchObject({ status: 400, Code: 'ParameterValueInvalid' });
      expect(e.Message).toMatch(message);
    }
  });

  it('checks the topic: known, in this region, FIFO fields only on FIFO topics, allowed to the caller', async () => {
    expect(await errorOf({ Message: 'm', TopicArn: sns.topicArn('nope') })).toMatchObject({ status: 404, Code: 'NotFound', Message: 'Topic does not exist' });
    expect(await errorOf({ Message: 'm', TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' })).toMatchObject({ Code: 'InvalidParameter', Message: 'Invalid parameter: TopicArn' });
    expect(await errorOf({ Message: 'm', TopicArn: 'alerts' })).toMatchObject({ Message: 'Invalid parameter: TopicArn' });
    expect(await errorOf({ Message: 'm', MessageGroupId: 'g' })).toMatchObject({ Code: 'InvalidParameter' });
    const fifo = sns.topicArn('orders.fifo');
    expect(await errorOf({ Message: 'm', TopicArn: fifo })).toMatchObject({ Message: 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics' });
    const ok = await publish({ Message: 'm', TopicArn: fifo, MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
    expect(xml(ok.body).PublishResponse.PublishResult.SequenceNumber).toMatch(/^\d{20}$/);
    sns.deny(sns.topicArn('locked'));
    expect(await errorOf({ Message: 'm', TopicArn: sns.topicArn('locked') })).toMatchObject({
      status: 403,
      Code: 'AuthorizationError',
      Message: expect.stringContaining('User: arn:aws:iam::123456789012:user/vigil is not authorized to perform: SNS:Publish'),
    });
  });

  it('detects a body the client did not encode: split values, bad escapes, unknown parameters', async () => {
    const raw = (body: string) => publish({}, { body });
    const base = `Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(ALERTS)}`;
    expect(queryErrorOf(await raw(`${base}&Message=disk full`)).Code).toBe('MalformedQueryString');
    expect(queryErrorOf(await raw(`${base}&Message=disk full & more`)).Code).toBe('MalformedQueryString');
    expect(queryErrorOf(await raw(`${base}&Message=at 95%`)).Code).toBe('MalformedQueryString');
    expect(queryErrorOf(await raw(`${base}&Message=a&Message=b`)).Code).toBe('MalformedQueryString');
    expect(queryErrorOf(await raw(`${base}&Message=a%26b&Extra=1`))).toMatchObject({ Code: 'InvalidParameter', Message: expect.stringContaining('Extra') });
    expect(queryErrorOf(await raw(`${base}&Message=%C3%28`)).Code).toBe('MalformedQueryString');
  });

  it('refuses the JSON protocol, which SNS does not speak', async () => {
    const before = sns.published().length;
    const r = await publish({}, {
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'SNS_20100331.Publish' },
      body: JSON.stringify({ TopicArn: ALERTS, Message: 'm' }),
    });
    expect(queryErrorOf(r).Code).toBe('InvalidAction');
    expect(sns.published()).toHaveLength(before);
  });

  it('answers signature problems as the Query protocol does', async () => {
    const wrongRegion = await signedCall({ url: sns.url, service: 'sns', region: 'us-east-1', credentials: TEST_USER, date: new Date(clock.now()), body: 'Action=Publish' });
    expect(wrongRegion.status).toBe(403);
    expect(queryErrorOf(wrongRegion)).toMatchObject({ Code: 'SignatureDoesNotMatch', Message: "Credential should be scoped to a valid region, not 'us-east-1'." });
    const unknown = await queryCall(sns.url, 'sns', REGION, { Action: 'Publish' }, clock, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    expect(queryErrorOf(unknown)).toMatchObject({ Code: 'InvalidClientTokenId', Message: 'The security token included in the request is invalid.' });
    const stale = await publish({ Message: 'm' }, { date: new Date(clock.now() - 16 * 60_000) });
    expect(queryErrorOf(stale).Message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const unsigned = await publish({ Message: 'm' }, { tamper: (r: { headers: Record<string, string> }) => void delete r.headers.authorization });
    expect(queryErrorOf(unsigned)).toMatchObject({ Code: 'MissingAuthenticationToken' });
  });

  it('throttles and fails on demand, then serves again', async () => {
    sns.throttle();
    sns.throttle('Throttled');
    sns.internalError();
    const a = await publish({ Message: 'm' });
    expect([a.status, queryErrorOf(a)]).toEqual([400, { Type: 'Sender', Code: 'Throttling', Message: 'Rate exceeded' }]);
    const b = await publish({ Message: 'm' });
    expect([b.status, queryErrorOf(b).Code]).toEqual([429, 'Throttled']);
    const c = await publish({ Message: 'm' });
    expect([c.status, queryErrorOf(c)]).toEqual([500, { Type: 'Receiver', Code: 'InternalError', Message: 'Internal Error' }]);
    expect((await publish({ Message: 'm' })).status).toBe(200);
  });
});
