/**
 * Recipient groups and sender accounts named by a watch: the `email_group` account, the `{"group": id}`
 * entries of to/cc/bcc, the `<type>:<id>` account reference, what a watch load checks (an unknown group
 * or account type is an error at the field that names it), and a delivery through the real outbox,
 * deliverer and an SES account with a group read at send time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emailAction } from '../../../src/actions/email/index.ts';
import { builtinRegistry } from '../../../src/registry/builtin.ts';
import { compileWatch } from '../../../src/watches/compile.ts';
import { checkWatchAgainstNode } from '../../../src/watches/node-check.ts';
import { VigilError } from '../../../src/errors.ts';
import type { AccountSource } from '../../../src/delivery/types.ts';
import { compileEnv, runtimeKit, type RuntimeKit } from '../../kit/runtime.ts';
import { createTestHttpClient } from '../../kit/undici-http.ts';
import { AwsKeyring, TEST_USER } from '../../kit/receivers/aws/keyring.ts';
import { startSesStandIn, type SesStandIn } from '../../kit/receivers/aws/ses.ts';

const registry = builtinRegistry();
const group = registry.accountType('email_group')!.manifest;

/** Accounts from a map, missing ones as the accounts registry reports them. */
function accounts(map: Record<string, Record<string, unknown>>): AccountSource {
  return {
    async resolve(type, id) {
      const a = map[type]?.[id];
      if (a === undefined) throw new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
      return registry.accountType(type)!.manifest.schema.parse(a);
    },
    async holders(id, types) {
      return types.filter((t) => map[t]?.[id] !== undefined).sort();
    },
  };
}

const watch = (action: Record<string, unknown>) => ({
  trigger: { schedule: { interval: '1h' } },
  actions: [{ type: 'email', name: 'mail', subject: 's', text_body: 'b', ...action }],
});

function compile(action: Record<string, unknown>) {
  const r = compileWatch(watch(action), { tenant: '_main', id: 'w' }, compileEnv());
  if (!r.ok) throw new Error(JSON.stringify(r.detail));
  return r.watch;
}

const SES_ACCOUNT = { region: 'eu-west-1', from: 'vigil@example.com', access_key_id: TEST_USER.accessKeyId, secret_access_key: TEST_USER.secretAccessKey };

describe('email_group accounts', () => {
  it('hold a list of addresses, each checked with its path; nothing secret', () => {
    expect(group.schema.safeParse({ emails: ['Ops <ops@example.com>', 'dev@example.com'] }).success).toBe(true);
    // What a group is for is said in `description`, a field every account has, not one of the type's.
    expect(group.schema.safeParse({ description: 'on-call', emails: ['ops@example.com'] }).success).toBe(false);
    const bad = group.schema.safeParse({ emails: ['ops@example.com', 'not an address', 'x@example.com\nBcc: evil@example.org'], extra: 1 });
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.code === 'unrecognized_keys' ? 'unrecognized' : i.message])).toEqual([
      ['', 'unrecognized'],
      ['emails.1', 'not an e-mail address: not an address'],
      ['emails.2', 'must be a single line (no CR or LF)'],
    ]);
    expect(group.schema.safeParse({ emails: [] }).success).toBe(false);
    expect(group.secretFields).toEqual([]);
  });
});

describe('groups in an e-mail action', () => {
  it('may be named in to, cc and bcc, never in from or reply_to', () => {
    const ok = emailAction.params.safeParse({ to: ['a@example.com', { group: 'oncall' }], cc: { group: 'leads' }, bcc: [{ group: 'audit' }], subject: 's', text_body: 'b' });
    expect(ok.error?.issues ?? []).toEqual([]);
    for (const field of ['from', 'reply_to']) expect(emailAction.params.safeParse({ to: 'a@example.com', [field]: { group: 'x' }, text_body: 'b' }).success, field).toBe(false);
    const badId = emailAction.params.safeParse({ to: [{ group: '../x' }], text_body: 'b' });
    expect(badId.error!.issues[0]!.path).toEqual(['to', 0, 'group']);
    expect(emailAction.params.safeParse({ to: [{ group: 'x', extra: 1 }], text_body: 'b' }).success).toBe(false);
  });

  it('are references of the watch, at the path of the entry that names them', () => {
    const w = compile({ account: 'ses:mail', to: ['a@example.com', { group: 'oncall' }], bcc: { group: 'audit' } });
    expect(w.accountRefs.map((r) => [r.kind, r.type, r.id, r.path])).toEqual([
      ['account', 'ses', 'mail', 'actions[0].account'],
      ['link', 'email_group', 'oncall', 'actions[0].to[1]'],
      ['link', 'email_group', 'audit', 'actions[0].bcc'],
    ]);
    // Kept in the rendered notification by field, for the send to expand.
    const n = w.actions[0]!.compiled.render({ data: {} } as never, { reportMissing: () => {}, severityLevel: 'none' } as never);
    expect(n.request).toMatchObject({ to: ['a@example.com'], groups: { to: ['oncall'], bcc: ['audit'] } });
    expect(n.summary).toBe('email to a@example.com, group oncall: "s"');
  });

  it('an unknown group, or one named by the sender account\'s defaults, is a load-time error at its field', async () => {
    const source = accounts({ ses: { mail: { ...SES_ACCOUNT, default_cc: [{ group: 'gone' }] } }, email_group: { oncall: { emails: ['a@example.com'] } } });
    const w = compile({ account: 'ses:mail', to: [{ group: 'oncall' }, { group: 'nope' }] });
    const detail = await checkWatchAgainstNode(w, { accounts: source, registry, clusters: [], stored: null });
    expect(detail).toEqual({
      'actions[0].to[1]': [{ error: "no email_group account 'nope'" }],
      'actions[0].account': [{ error: "ses account 'mail' names in default_cc[0]: no email_group account 'gone'" }],
    });
  });
});

describe('an action naming a sender account of another type', () => {
  it('<type>:<id> names one of the types the action can send with; others are refused at the account field', () => {
    const env = compileEnv();
    const detail = (account: string) => {
      const r = compileWatch(watch({ to: 'a@example.com', account }), { tenant: '_main', id: 'w' }, env);
      return r.ok ? null : r.detail;
    };
    expect(detail('ses:mail')).toBeNull();
    expect(detail('exchange:mail')).toBeNull();
    expect(detail('email:mail')).toBeNull();
    expect(detail('slack:mail')).toEqual({ 'actions[0].account': [{ error: 'a email action cannot send with a slack account; account types it can use: email, ses, exchange' }] });
    expect(detail('email_group:oncall')!['actions[0].account']![0]!.error).toContain('cannot send with a email_group account');
    expect(detail('ses:__proto__')).not.toBeNull();
    // The plain form stays what it always was: the action type's own account.
    expect(compile({ to: 'a@example.com', account: 'mail' }).accountRefs[0]).toMatchObject({ type: 'email', id: 'mail' });
    expect(compile({ to: 'a@example.com' }).accountRefs[0]).toMatchObject({ type: 'email', id: 'default', implicit: true });
  });

  it("is checked against the action at load: the account's domain allowlist applies to literal addresses", async () => {
    const source = accounts({ ses: { mail: { ...SES_ACCOUNT, domain_allowlist: ['example.com'] } } });
    const w = compile({ account: 'ses:mail', to: ['a@example.com', 'b@elsewhere.org'] });
    expect(await checkWatchAgainstNode(w, { accounts: source, registry, clusters: [], stored: null })).toEqual({
      'actions[0].to[1]': [{ error: "domain not in the account's domain_allowlist: b@elsewhere.org" }],
    });
  });
});

describe('through the outbox and the deliverer', () => {
  let kit: RuntimeKit | undefined;
  let ses: SesStandIn | undefined;
  afterEach(async () => {
    await kit?.close();
    await ses?.close();
    await emailAction.close?.();
  });

  it('an action naming ses:<id> is delivered through SES, its group read when the mail is sent', async () => {
    const map: Record<string, Record<string, unknown>> = { email_group: { oncall: { emails: ['alice@example.com'] } } };
    kit = runtimeKit({ http: createTestHttpClient(), accounts: accounts(map) });
    ses = await startSesStandIn({ keys: new AwsKeyring(), clock: kit.clock, region: 'eu-west-1', identities: ['example.com'] });
    map.ses = { mail: { ...SES_ACCOUNT, endpoint: ses.url } };
    await kit.watches.put('_main', 'w', {
      trigger: { schedule: { interval: '1h' } },
      actions: [{ type: 'email', name: 'mail', account: 'ses:mail', to: [{ group: 'oncall' }], subject: 'Disk {{watch.id}}', text_body: 'b' }],
    });
    const w = kit.watches.get('_main', 'w')!.watch!;
    const fire = () => ({ scheduledTime: kit!.clock.now(), triggeredTime: kit!.clock.now(), previousScheduledTime: null, nextScheduledTime: null });
    expect((await kit.runner.run(w, { fire: fire() })).status.code).toBe('ACTION_EXECUTED');
    map.email_group!.oncall = { emails: ['bob@example.com', 'carol@example.com'] };
    await kit.clock.advance(3_600_000);
    expect((await kit.runner.run(w, { fire: fire() })).status.code).toBe('ACTION_EXECUTED');
    expect(ses.sent().map((m) => [m.raw!.subject, m.to])).toEqual([
      ['Disk w', ['alice@example.com']],
      ['Disk w', ['bob@example.com', 'carol@example.com']],
    ]);
    expect(kit.logs.text()).not.toContain(TEST_USER.secretAccessKey);
  });
});
