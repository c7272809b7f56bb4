/**
 * An Amazon SNS stand-in: the Query API's `Publish` (form POST to `/`, `Version=2010-03-31`, SigV4 with
 * service `sns`). It verifies the signature against the shared {@link AwsKeyring} (temporary keys from
 * the STS stand-in included), checks the topic (known, in this endpoint's region and account), the
 * message, subject and message attributes as SNS does, and answers `PublishResponse` XML or an
 * `ErrorResponse`. Only the Query protocol is spoken: SNS's published service models (the AWS SDKs')
 * list no other, so a JSON-protocol request is refused.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../../../src/clock.ts';
import { parseFormStrict, startService, type ServiceReply, type ServiceRequest, type ServiceStandIn } from '../service.ts';
import type { AwsKeyring } from './keyring.ts';
import { queryAuthError, queryError, queryResult, type AwsError } from './protocol.ts';
import { checkPublish, type CheckedPublish } from './sns-publish.ts';
import { verifySigV4 } from './sigv4-verify.ts';

export const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** A message SNS took: its checked parameters, and who published it when. */
export interface SnsPublished extends CheckedPublish {
  messageId: string;
  /** The access key that signed the request. */
  accessKeyId: string;
  at: number;
}

export interface SnsOptions {
  keys: AwsKeyring;
  /** Topic names (or full ARNs) that exist in this endpoint's region and the keyring's account. */
  topics: string[];
  clock?: Clock;
  /** Region this endpoint serves (default `us-east-1`). */
  region?: string;
}

export interface SnsStandIn extends ServiceStandIn {
  /** The ARN of a topic given by name. */
  topicArn(name: string): string;
  /** Messages accepted, in order. */
  published(): SnsPublished[];
  /** Makes Publish to this topic answer `AuthorizationError` (a policy that does not allow the caller). */
  deny(topicArn: string): void;
  /**
   * Queues a throttling answer: `Throttling` is the generic Query-protocol throttle (400 "Rate
   * exceeded"); `Throttled` is SNS's own (429 "Throttled request").
   */
  throttle(kind?: 'Throttling' | 'Throttled'): void;
  /** Queues an `InternalError` (500). */
  internalError(): void;
}

export async function startSnsStandIn(opts: SnsOptions): Promise<SnsStandIn> {
  const clock = opts.clock ?? systemClock;
  const region = opts.region ?? 'us-east-1';
  const account = opts.keys.accountId;
  const arnOf = (name: string) => (name.startsWith('arn:') ? name : `arn:aws:sns:${region}:${account}:${name}`);
  const topics = new Set(opts.topics.map(arnOf));
  const denied = new Set<string>();
  const published: SnsPublished[] = [];
  const err = (e: AwsError): ServiceReply => queryError(SNS_NS, e);

  const handle = (r: ServiceRequest): ServiceReply => {
    if (r.method !== 'POST' || r.path !== '/') return err({ status: 404, code: 'UnknownOperation', message: 'The requested operation is not supported by this stand-in (POST / only).' });
    const v = verifySigV4(r, { service: 'sns', region, now: clock.now(), lookup: opts.keys.lookup });
    if (!v.ok) return err(queryAuthError(v.problem, v.message));
    if (r.headers['x-amz-target'] !== undefined || /json/.test(r.headers['content-type'] ?? '')) {
      return err({ status: 400, code: 'InvalidAction', message: 'SNS speaks the Query protocol (application/x-www-form-urlencoded); the JSON protocol is not supported.' });
    }
    if (!(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return err({ status: 400, code: 'MalformedInput', message: 'The request body must be application/x-www-form-urlencoded.' });
    }
    const form = parseFormStrict(r.body);
    if (!form.ok) return err({ status: 400, code: 'MalformedQueryString', message: `The query string is malformed: ${form.error}` });
    const p = form.params;
    if (p.get('Action') !== 'Publish') return err({ status: 400, code: 'InvalidAction', message: `Could not find operation ${p.get('Action') ?? '(none)'} for version ${p.get('Version') ?? '(none)'}` });
    if (p.get('Version') !== '2010-03-31') return err({ status: 400, code: 'InvalidAction', message: `Could not find operation Publish for version ${p.get('Version') ?? '(none)'}` });

    const checked = checkPublish(p, { region, fifo: (arn) => arn.endsWith('.fifo') });
    if ('error' in checked) return err(checked.error);
    const c = checked.publish;
    if (!topics.has(c.topicArn)) return err({ status: 404, code: 'NotFound', message: 'Topic does not exist' });
    if (denied.has(c.topicArn)) {
      const who = opts.keys.principal(v.key.accessKeyId)!.arn;
      return err({ status: 403, code: 'AuthorizationError', message: `User: ${who} is not authorized to perform: SNS:Publish on resource: ${c.topicArn} because no resource-based policy allows the SNS:Publish action` });
    }
    const messageId = randomUUID();
    published.push({ ...c, messageId, accessKeyId: v.key.accessKeyId, at: clock.now() });
    const seq = c.messageGroupId !== undefined ? `    <SequenceNumber>${String(published.length).padStart(20, '1')}</SequenceNumber>\n` : '';
    return queryResult('Publish', SNS_NS, `    <MessageId>${messageId}</MessageId>\n${seq}`);
  };

  const base = await startService(handle, { clock });
  return {
    ...base,
    topicArn: arnOf,
    published: () => published,
    deny: (arn) => void denied.add(arn),
    throttle: (kind = 'Throttling') =>
      base.fault(
        queryError(SNS_NS, kind === 'Throttling' ? { status: 400, code: 'Throttling', message: 'Rate exceeded' } : { status: 429, code: 'Throttled', message: 'Throttled request' }),
      ),
    internalError: () => base.fault(queryError(SNS_NS, { status: 500, code: 'InternalError', message: 'Internal Error' })),
  };
}
