/**
 * The SNS action against the SNS and STS stand-ins, which verify SigV4 signatures with the known
 * secret, check Publish as SNS does and answer in its XML shapes. Static keys and an assumed role (the
 * Notifications plugin's two ways), the credential cache, and the classification of every refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatChannelMessage, snsAction, testAccount } from '../../../src/actions/sns/index.ts';
import type { SnsAccount } from '../../../src/actions/sns/schema.ts';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { startSnsStandIn, SNS_NS, type SnsStandIn } from '../../kit/receivers/aws/sns.ts';
import { startStsStandIn, type StsStandIn } from '../../kit/receivers/aws/sts.ts';
import { queryError } from '../../kit/receivers/aws/protocol.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { templateEnv } from '../../kit/template-env.ts';
import { deliverDeps, HOSTILE, renderInfo, view } from '../../kit/action-deps.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { accountHttp } from '../../../src/actions/shared/account-destination.ts';
import type { HttpClient } from '../../../src/net/types.ts';
import { routeAwsEndpoints, type AwsRouter } from '../../kit/receivers/aws/route.ts';
import { NO_AWS_CREDENTIALS } from '../../../src/actions/shared/aws-outcome.ts';

const REGION = 'eu-west-1';
const ROLE = 'arn:aws:iam::123456789012:role/vigil-publisher';
const GUARDED = 'arn:aws:iam::123456789012:role/vigil-guarded';
const clock = new FakeClock('2025-03-01T12:00:00Z');
/** The daemon's own long-term keys, as its environment would give them. */
const DAEMON = { accessKeyId: 'AKIAVIGILDAEMON00001', secretAccessKey: 'dAeMoN/Env+Secret0Key/For+Vigil0abcdefgh', userArn: 'arn:aws:iam::123456789012:user/vigil-daemon' };
const keys = new AwsKeyring({ users: [TEST_USER, DAEMON] });
let sns: SnsStandIn;
let sts: StsStandIn;
let http: HttpClient;
/** AWS's own SNS and STS endpoints of REGION, answered by the stand-ins. */
let aws: AwsRouter;

beforeAll(async () => {
  sns = await startSnsStandIn({ keys, clock, region: REGION, topics: ['alerts', 'orders.fifo'] });
  sts = await startStsStandIn({ keys, clock, region: REGION, roles: [{ arn: ROLE }, { arn: GUARDED, externalId: 'ext-4711' }] });
  http = createTestHttpClient({ readTimeoutMs: 500 });
  aws = routeAwsEndpoints(http, { [`https://sns.${REGION}.amazonaws.com`]: sns.url, [`https://sts.${REGION}.amazonaws.com`]: sts.url });
});
afterAll(async () => {
  await snsAction.close?.();
  await http.close();
  await sns.close();
  await sts.close();
});

const compile = (params: unknown) => snsAction.compile(snsAction.params.parse(params) as never, templateEnv());
const staticAccount = (over: Partial<SnsAccount> = {}): SnsAccount =>
  snsAction.account!.schema.parse({ region: REGION, topic_arn: sns.topicArn('alerts'), access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey, endpoint: sns.url, ...over }) as SnsAccount;
const roleAccount = (over: Partial<SnsAccount> = {}) => staticAccount({ role_arn: ROLE, sts_endpoint: sts.url, ...over });
/** Deps as a delivery gets them: the clock shared with the stand-ins, the client pinned to the account's destination. */
const depsFor = (account: SnsAccount, key = 'idem-1') => deliverDeps(accountHttp(snsAction, account, http), account, { clock, idempotencyKey: key });
const secretsIn = (text: string) => [TEST_USER.secretAccessKey, ...sts.issued().flatMap((s) => [s.secretAccessKey, s.sessionToken])].filter((s) => text.includes(s));

describe('sns action: Publish', () => {
  it('publishes subject, message and attributes signed with static keys; hostile values arrive intact', async () => {
    const n = compile({
      subject: 'Watch {{watch.id}} fired',
      message: 'value: {{data.v}}',
      message_attributes: { watch: '{{watch.id}}', count: { data_type: 'Number', value: '{{data.n}}' }, tags: { data_type: 'String.Array', value: '["a","b"]' } },
    }).render(view({ v: HOSTILE, n: 17 }), renderInfo());
    const { deps, logText } = depsFor(staticAccount());
    const r = await snsAction.deliver(n, deps);
    const got = sns.published().at(-1)!;
    expect(r).toEqual({ ok: true, detail: `published ${got.messageId}`, response: { MessageId: got.messageId } });
    expect(got).toMatchObject({ topicArn: sns.topicArn('alerts'), subject: 'Watch w1 fired', message: `value: ${HOSTILE}`, accessKeyId: TEST_USER.accessKeyId });
    expect(got.attributes).toEqual({
      watch: { DataType: 'String', StringValue: 'w1' },
      count: { DataType: 'Number', StringValue: '17' },
      tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
    });
    expect(secretsIn(JSON.stringify(r) + JSON.stringify(n) + logText())).toEqual([]);
  });

  it('makes any subject one that SNS takes: ASCII, one line, at most 100 characters', async () => {
    const n = compile({ subject: '{{data.s}}', message: 'm' }).render(view({ s: `Ünïcödé ✓ alert\t${'x'.repeat(200)}` }), renderInfo());
    expect(await snsAction.deliver(n, depsFor(staticAccount()).deps)).toMatchObject({ ok: true });
    const subject = sns.published().at(-1)!.subject!;
    expect(subject).toMatch(/^Unicode \? alert x+\.\.\.$/);
    expect(subject.length).toBe(100);
  });

  it('cuts a message over 256 KiB so SNS takes it', async () => {
    const n = compile({ message: '{{data.v}}', message_attributes: { a: 'x'.repeat(1000) } }).render(view({ v: 'ü'.repeat(200_000) }), renderInfo());
    expect(await snsAction.deliver(n, depsFor(staticAccount()).deps)).toMatchObject({ ok: true });
    expect(sns.published().at(-1)!.message.endsWith('…')).toBe(true);
  });

  it("the action's topic overrides the account's; FIFO topics get a group and a deduplication id stable across retries", async () => {
    const fifo = sns.topicArn('orders.fifo');
    const n = compile({ message: 'm', topic_arn: fifo }).render(view(), renderInfo());
    expect(await snsAction.deliver(n, depsFor(staticAccount(), 'idem-A').deps)).toMatchObject({ ok: true });
    expect(await snsAction.deliver(n, depsFor(staticAccount(), 'idem-A').deps)).toMatchObject({ ok: true });
    const [a, b] = sns.published().slice(-2);
    expect(a).toMatchObject({ topicArn: fifo, messageGroupId: '_main.w1' });
    expect(a!.messageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(b!.messageDeduplicationId).toBe(a!.messageDeduplicationId);
  });
});

describe('sns action: an assumed role', () => {
  it('assumes the role once, signs with the temporary keys and their token, and renews them before they expire', async () => {
    await snsAction.close?.();
    const n = compile({ message: 'm' }).render(view(), renderInfo());
    const before = sts.issued().length;
    const account = roleAccount();
    const { deps, logText } = depsFor(account);
    expect(await snsAction.deliver(n, deps)).toMatchObject({ ok: true });
    expect(await snsAction.deliver(n, deps)).toMatchObject({ ok: true });
    expect(sts.issued().length).toBe(before + 1);
    const issued = sts.issued().at(-1)!;
    expect(sns.published().slice(-2).map((p) => p.accessKeyId)).toEqual([issued.accessKeyId, issued.accessKeyId]);
    clock.jump(56 * 60_000);
    expect(await snsAction.deliver(n, deps)).toMatchObject({ ok: true });
    expect(sts.issued().length).toBe(before + 2);
    expect(sns.published().at(-1)!.accessKeyId).toBe(sts.issued().at(-1)!.accessKeyId);
    expect(secretsIn(logText())).toEqual([]);
  });

  it('sends the external id the role demands; a wrong one is AUTH_FAILED, not retried', async () => {
    const n = compile({ message: 'm' }).render(view(), renderInfo());
    expect(await snsAction.deliver(n, depsFor(roleAccount({ role_arn: GUARDED, external_id: 'ext-4711' })).deps)).toMatchObject({ ok: true });
    const r = await snsAction.deliver(n, depsFor(roleAccount({ role_arn: GUARDED, external_id: 'ext-wrong' })).deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('STS 403 AccessDenied') });
  });

  it('temporary keys SNS calls expired are dropped: the retry assumes the role again', async () => {
    await snsAction.close?.();
    const n = compile({ message: 'm' }).render(view(), renderInfo());
    const account = roleAccount();
    expect(await snsAction.deliver(n, depsFor(account).deps)).toMatchObject({ ok: true });
    const before = sts.issued().length;
    sns.fault(queryError(SNS_NS, { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' }));
    expect(await snsAction.deliver(n, depsFor(account).deps)).toMatchObject({ ok: false, retry: true, code: 'CREDENTIALS_EXPIRED' });
    expect(await snsAction.deliver(n, depsFor(account).deps)).toMatchObject({ ok: true });
    expect(sts.issued().length).toBe(before + 1);
  });

  it('STS throttling and an STS that does not answer are retried', async () => {
    await snsAction.close?.();
    sts.throttle();
    const n = compile({ message: 'm' }).render(view(), renderInfo());
    expect(await snsAction.deliver(n, depsFor(roleAccount()).deps)).toMatchObject({ ok: false, retry: true, code: 'THROTTLED' });
    sts.fault({ hang: true });
    const published = sns.published().length;
    expect(await snsAction.deliver(n, depsFor(roleAccount()).deps)).toMatchObject({ ok: false, retry: true, code: 'TIMEOUT' });
    expect(sns.published().length).toBe(published);
  });
});

describe("sns action: an account without keys signs with the daemon's own credentials", () => {
  const n = () => compile({ message: 'm' }).render(view(), renderInfo());
  /** An account without keys, at AWS's own endpoints (routed to the stand-ins). */
  const keyless = (over: Record<string, unknown> = {}) => snsAction.account!.schema.parse({ region: REGION, topic_arn: sns.topicArn('alerts'), ...over }) as SnsAccount;
  const daemonDeps = (account: SnsAccount, daemon: typeof DAEMON | { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined) =>
    deliverDeps(accountHttp(snsAction, account, aws), account, { clock, ...(daemon ? { daemonAwsCredentials: daemon } : {}) });
  const daemonSecretsIn = (text: string, extra: string[] = []) => [DAEMON.secretAccessKey, DAEMON.accessKeyId, ...extra].filter((s) => text.includes(s));

  it('publishes signed with the daemon keys, at AWS\'s regional endpoint; none of them shows', async () => {
    const { deps, logText } = daemonDeps(keyless(), DAEMON);
    const r = await snsAction.deliver(n(), deps);
    expect(r).toMatchObject({ ok: true });
    expect(sns.published().at(-1)).toMatchObject({ accessKeyId: DAEMON.accessKeyId, topicArn: sns.topicArn('alerts') });
    expect(daemonSecretsIn(JSON.stringify(r) + logText())).toEqual([]);
  });

  it('temporary daemon credentials are sent with their session token', async () => {
    const session = keys.issueSession('arn:aws:iam::123456789012:role/vigil-host', 'host', clock.now() + 3_600_000);
    const r = await snsAction.deliver(n(), daemonDeps(keyless(), { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken }).deps);
    expect(r).toMatchObject({ ok: true });
    expect(sns.published().at(-1)!.accessKeyId).toBe(session.accessKeyId);
  });

  it('with a role, the daemon keys assume it and its temporary keys sign the Publish', async () => {
    await snsAction.close?.();
    const before = sts.issued().length;
    expect(await snsAction.deliver(n(), daemonDeps(keyless({ role_arn: GUARDED, external_id: 'ext-4711' }), DAEMON).deps)).toMatchObject({ ok: true });
    expect(sts.issued().length).toBe(before + 1);
    expect(sts.requests.at(-1)!.headers.authorization).toContain(`Credential=${DAEMON.accessKeyId}/`);
    expect(sns.published().at(-1)!.accessKeyId).toBe(sts.issued().at(-1)!.accessKeyId);
  });

  it("the account's own keys win over the daemon's", async () => {
    const account = snsAction.account!.schema.parse({ region: REGION, topic_arn: sns.topicArn('alerts'), access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey }) as SnsAccount;
    expect(await snsAction.deliver(n(), daemonDeps(account, DAEMON).deps)).toMatchObject({ ok: true });
    expect(sns.published().at(-1)!.accessKeyId).toBe(TEST_USER.accessKeyId);
  });

  it('no keys anywhere: AUTH_FAILED, not retried, saying so, and nothing is sent', async () => {
    const before = sns.requests.length + sts.requests.length;
    for (const account of [keyless(), keyless({ role_arn: ROLE })]) {
      expect(await snsAction.deliver(n(), daemonDeps(account, undefined).deps)).toEqual({ ok: false, retry: false, code: 'AUTH_FAILED', message: NO_AWS_CREDENTIALS });
    }
    const r = await testAccount(keyless(), {}, { http: aws, clock, logger: silentLogger(), signal: new AbortController().signal, egress: undefined as never });
    expect(r).toEqual({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the daemon\'s environment') });
    expect(sns.requests.length + sts.requests.length).toBe(before);
  });

  it('a service that quotes the daemon keys back has them scrubbed', async () => {
    const session = keys.issueSession('arn:aws:iam::123456789012:role/vigil-host', 'host2', clock.now() + 3_600_000);
    const daemon = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken };
    sns.fault(queryError(SNS_NS, { status: 400, code: 'InvalidParameter', message: `bad ${daemon.accessKeyId} ${daemon.secretAccessKey} ${daemon.sessionToken}` }));
    const { deps, logText } = daemonDeps(keyless(), daemon);
    const r = await snsAction.deliver(n(), deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: expect.stringContaining('bad [redacted] [redacted] [redacted]') });
    expect(daemonSecretsIn(JSON.stringify(r) + logText(), [session.accessKeyId, session.secretAccessKey, session.sessionToken])).toEqual([]);
  });
});

describe('sns action: what is retried', () => {
  const n = () => compile({ message: 'm' }).render(view(), renderInfo());
  it.each([
    ['Throttling (400)', () => sns.throttle('Throttling'), { retry: true, code: 'THROTTLED' }],
    ['Throttled (429)', () => sns.throttle('Throttled'), { retry: true, code: 'THROTTLED' }],
    ['InternalError (500)', () => sns.internalError(), { retry: true, code: 'HTTP_5XX' }],
    ['no answer', () => sns.fault({ hang: true }), { retry: true, code: 'TIMEOUT' }],
  ])('%s is retried', async (_what, program, expected) => {
    program();
    expect(await snsAction.deliver(n(), depsFor(staticAccount()).deps)).toMatchObject({ ok: false, ...expected });
  });

  it('a wrong secret, a topic policy that refuses the caller, and an unknown topic are not; no secret shows', async () => {
    const wrong = await snsAction.deliver(n(), depsFor(staticAccount({ secret_access_key: 'wrong/Secret+Key0000000000000000000000000' })).deps);
    expect(wrong).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('SignatureDoesNotMatch') });
    sns.deny(sns.topicArn('orders.fifo'));
    const denied = await snsAction.deliver(compile({ message: 'm', topic_arn: sns.topicArn('orders.fifo') }).render(view(), renderInfo()), depsFor(staticAccount()).deps);
    expect(denied).toMatchObject({ ok: false, retry: false, code: 'AUTH_FAILED', message: expect.stringContaining('AuthorizationError') });
    const missing = await snsAction.deliver(n(), depsFor(staticAccount({ topic_arn: `arn:aws:sns:${REGION}:123456789012:nope` })).deps);
    expect(missing).toMatchObject({ ok: false, retry: false, code: 'HTTP_4XX', message: 'SNS 404 NotFound: Topic does not exist' });
    expect(secretsIn(JSON.stringify([wrong, denied, missing]))).toEqual([]);
  });

  it('an endpoint the egress policy denies is refused without connecting, and not retried', async () => {
    const closed = createTestHttpClient();
    const { createHttpClient } = await import('../../../src/net/http.ts');
    const { createEgressPolicy } = await import('../../../src/net/egress.ts');
    const strict = createHttpClient({ policy: createEgressPolicy({ allow: [] }, {}), logger: silentLogger() });
    const before = sns.requests.length;
    const account = staticAccount();
    const r = await snsAction.deliver(n(), deliverDeps(accountHttp(snsAction, account, strict), account, { clock }).deps);
    expect(r).toMatchObject({ ok: false, retry: false, code: 'EGRESS_DENIED' });
    expect(sns.requests.length).toBe(before);
    await strict.close();
    await closed.close();
  });
});

describe('sns account', () => {
  it("sends its secrets to the service's regional endpoint, or the one it names, and to STS when it assumes a role", () => {
    const dest = (a: Record<string, unknown>) => snsAction.account!.destination(snsAction.account!.schema.parse(a) as SnsAccount)!.origins;
    const keys = { access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's' };
    expect(dest({ region: 'eu-west-1', ...keys })).toEqual(['https://sns.eu-west-1.amazonaws.com']);
    expect(dest({ region: 'cn-north-1', role_arn: ROLE, ...keys })).toEqual(['https://sns.cn-north-1.amazonaws.com.cn', 'https://sts.cn-north-1.amazonaws.com.cn']);
    expect(dest({ region: 'eu-west-1', role_arn: ROLE, endpoint: 'https://sns-fips.example:8443/', sts_endpoint: 'https://sts.example', ...keys })).toEqual(['https://sns-fips.example:8443', 'https://sts.example']);
  });

  it('refuses a bad region, missing keys, an external id or STS endpoint without a role, and a topic in another region', () => {
    const issues = (a: Record<string, unknown>) => snsAction.account!.schema.safeParse(a).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ region: 'eu-west-1', access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's' })).toEqual([]);
    expect(issues({ region: 'Europe', access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's' })).toEqual(['region: must be an AWS region such as us-east-1']);
    // Both keys or neither: without them the daemon's own credentials are used.
    expect(issues({ region: 'eu-west-1' })).toEqual([]);
    expect(issues({ region: 'eu-west-1', access_key_id: 'AKIAEXAMPLE000000001' }).map((i) => i.split(':')[0])).toEqual(['secret_access_key']);
    expect(issues({ region: 'eu-west-1', secret_access_key: 's' }).map((i) => i.split(':')[0])).toEqual(['access_key_id']);
    expect(issues({ region: 'eu-west-1', access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's', external_id: 'abc', sts_endpoint: 'https://sts.example' }).map((i) => i.split(':')[0])).toEqual(['external_id', 'sts_endpoint']);
    expect(issues({ region: 'eu-west-1', access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's', topic_arn: 'arn:aws:sns:us-east-1:123456789012:t' })).toEqual(['topic_arn: the topic is in us-east-1, the account in eu-west-1']);
  });

  it("an account without keys may name only AWS's own endpoints of its region: the daemon's credentials go nowhere else", () => {
    const issues = (a: Record<string, unknown>) => snsAction.account!.schema.safeParse({ region: 'eu-west-1', ...a }).error?.issues.map((i) => i.path.join('.')) ?? [];
    for (const endpoint of ['https://sns.eu-west-1.amazonaws.com', 'https://sns.eu-west-1.amazonaws.com/', 'https://sns-fips.eu-west-1.amazonaws.com']) expect(issues({ endpoint }), endpoint).toEqual([]);
    expect(issues({ role_arn: ROLE, sts_endpoint: 'https://sts.eu-west-1.amazonaws.com' })).toEqual([]);
    expect(snsAction.account!.schema.safeParse({ region: 'cn-north-1', endpoint: 'https://sns.cn-north-1.amazonaws.com.cn' }).success).toBe(true);
    for (const endpoint of [
      'http://127.0.0.1:9/',
      'https://sns.example.com',
      // Hosts under amazonaws.com that other AWS customers control.
      'https://abc123.execute-api.eu-west-1.amazonaws.com',
      'https://bucket.s3-website.eu-west-1.amazonaws.com',
      'http://sns.eu-west-1.amazonaws.com',
      'https://sns.eu-west-1.amazonaws.com:8443',
      'https://sns.eu-west-1.amazonaws.com/x',
      'https://sns.us-east-1.amazonaws.com',
      'https://sns.eu-west-1.amazonaws.com.cn',
      'https://sts.eu-west-1.amazonaws.com',
    ]) {
      expect(issues({ endpoint }), endpoint).toEqual(['endpoint']);
    }
    const sts = snsAction.account!.schema.safeParse({ region: 'eu-west-1', role_arn: ROLE, sts_endpoint: 'https://sts.example' }).error!.issues;
    expect(sts.map((i) => [i.path.join('.'), i.message])).toEqual([['sts_endpoint', expect.stringContaining("the daemon's own AWS credentials")]]);
    // With its own keys, an account may send anywhere the egress policy allows.
    expect(issues({ endpoint: 'https://sns.example.com', role_arn: ROLE, sts_endpoint: 'https://sts.example', access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's' })).toEqual([]);
  });

  it('checks at load that the action has a topic in the account\'s region', () => {
    const check = (params: Record<string, unknown>, account: Record<string, unknown>) =>
      snsAction.checkAccount!(snsAction.params.parse(params) as never, snsAction.account!.schema.parse({ region: REGION, access_key_id: 'AKIAEXAMPLE000000001', secret_access_key: 's', ...account }) as SnsAccount);
    expect(check({ message: 'm' }, {})).toEqual([['topic_arn', 'no topic: set topic_arn in the action or in the sns account']]);
    expect(check({ message: 'm', topic_arn: 'arn:aws:sns:us-east-1:123456789012:t' }, {})).toEqual([['topic_arn', 'the topic is in us-east-1; the sns account publishes in eu-west-1']]);
    expect(check({ message: 'm' }, { topic_arn: `arn:aws:sns:${REGION}:123456789012:t` })).toEqual([]);
  });

  it('_test publishes through the real path', async () => {
    const before = sns.published().length;
    const account = staticAccount();
    const r = await testAccount(account, { message: 'ping' }, { http: accountHttp(snsAction, account, http), clock, logger: silentLogger(), signal: new AbortController().signal, egress: undefined as never });
    expect(r).toMatchObject({ ok: true });
    expect(sns.published().slice(before).map((p) => [p.subject, p.message])).toEqual([['Vigil test message', 'ping']]);
  });

  it("formats a channel message as a Publish to the account's topic, with the severity as an attribute", async () => {
    const account = staticAccount();
    const n = formatChannelMessage({ subject: 'Disk full ✓', message: 'node-1 at 99%', severity: 'critical' }, account);
    expect(await snsAction.deliver(n, depsFor(account).deps)).toMatchObject({ ok: true });
    expect(sns.published().at(-1)).toMatchObject({ subject: 'Disk full ?', message: 'node-1 at 99%', attributes: { severity: { DataType: 'String', StringValue: 'critical' } } });
    expect(() => formatChannelMessage({ subject: 's', message: 'm' }, staticAccount({ topic_arn: undefined }))).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});
