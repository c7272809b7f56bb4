import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, RegistryError, type RegistryTypes } from '../../src/registry/registry.ts';
import { builtinRegistry, builtinTypes } from '../../src/registry/builtin.ts';
import type { ActionType } from '../../src/actions/types.ts';
import type { CheckType } from '../../src/checks/types.ts';
import { accountSchemas } from '../../src/actions/shared/account-schema.ts';
import { webhookAction } from '../../src/actions/webhook/index.ts';
import { staticCheck } from '../../src/checks/static.ts';
import { conditionCheck } from '../../src/checks/script-checks.ts';
import { VigilError } from '../../src/errors.ts';

/** A complete action type; each test breaks one part of it. */
function action(over: Partial<ActionType> = {}): ActionType {
  return {
    type: 'probe',
    params: z.strictObject({ text: z.string() }),
    compile: () => ({ render: () => ({ kind: 'fire', request: {}, summary: 's' }) }),
    deliver: async () => ({ ok: true }),
    conformance: { params: () => ({ text: 't' }), overHttp: false },
    ...over,
  };
}

function check(over: Partial<CheckType<any>> = {}): CheckType<any> {
  return {
    type: 'probe',
    schema: z.strictObject({ type: z.literal('probe'), name: z.string().optional() }),
    compile: () => ({ type: 'probe', name: null, run: async () => 'continue' as const }),
    conformance: { valid: { type: 'probe' } },
    ...over,
  };
}

const withAccount = (account: Partial<NonNullable<ActionType['account']>>, conformance: Partial<ActionType['conformance']> = {}) =>
  action({
    account: { ...accountSchemas(z.strictObject({ url: z.string() }), z.strictObject({ token: z.string() })), required: true, destination: () => null, ...account },
    conformance: { params: () => ({ text: 't' }), overHttp: false, account: { example: () => ({ url: 'u', token: 't' }), secrets: ['t'] }, ...conformance },
  });

const build = (types: Partial<RegistryTypes>) => () => createRegistry({ actions: [], checks: [], ...types });

describe('createRegistry', () => {
  it('builds Vigil\'s own types and finds them by name, checks by alias too', () => {
    const r = builtinRegistry();
    expect(r.action('webhook')).toBe(webhookAction);
    expect(r.check('condition.script')).toBe(conditionCheck);
    expect(r.check('static')).toBe(staticCheck);
    expect(r.action('nope')).toBeUndefined();
    expect(r.accountTypes.map((t) => t.type).sort()).toEqual(['chime', 'email', 'email_channel', 'jira', 'pagerduty', 'slack', 'sns', 'teams', 'webhook']);
    // Channels: the accounts of the types with a channel format, and the e-mail action's linked senders.
    expect([...r.channelTypes].sort()).toEqual(['chime', 'email', 'email_channel', 'exchange', 'ses', 'slack', 'sns', 'teams', 'webhook']);
    // Every account type, with the action type that owns it (enabled or not) and its account manifest.
    expect(r.accounts.filter((e) => e.role === 'own').map((e) => e.type)).toEqual(r.accountTypes.map((t) => t.type));
    expect(r.accounts.filter((e) => e.role !== 'own').map((e) => `${e.owner.type}:${e.type}:${e.role}`)).toEqual(['email:ses:sender', 'email:exchange:sender', 'email:email_group:lookup']);
    expect(r.accountType('webhook')).toEqual({ type: 'webhook', owner: webhookAction, role: 'own', manifest: webhookAction.account });
    expect(r.accountType('log')).toBeUndefined();
  });

  it('refuses a type registered twice, and an alias that clashes with another name or alias', () => {
    expect(build({ actions: [action(), action()] })).toThrow(/action type "probe" is registered twice/);
    expect(build({ checks: [check(), check()] })).toThrow(RegistryError);
    const aliased = check({ type: 'other', aliases: ['condition'], schema: z.strictObject({ type: z.enum(['other', 'condition']) }), conformance: { valid: { type: 'other' } } });
    expect(build({ checks: [conditionCheck, aliased] })).toThrow(/"condition" is already the name or an alias of check type "condition"/);
    const sameAlias = check({ type: 'other', aliases: ['condition.script'], schema: z.strictObject({ type: z.enum(['other', 'condition.script']) }), conformance: { valid: { type: 'other' } } });
    expect(build({ checks: [conditionCheck, sameAlias] })).toThrow(RegistryError);
  });

  it.each(['name', 'account', 'checks', 'foreach', 'foreach_limit', 'throttle_period', 'severity', 'resolves_severity'])(
    'refuses params that shadow the common action field %s',
    (field) => {
      expect(build({ actions: [action({ params: z.strictObject({ [field]: z.string() }) })] })).toThrow(new RegExp(`params ${field} would shadow`));
    },
  );

  it.each<[string, Partial<ActionType>]>([
    ['a bad type name', { type: 'Bad Name' }],
    ['params that are not strict', { params: z.object({ text: z.string() }) }],
    ['no deliver', { deliver: undefined as never }],
    ['no compile', { compile: undefined as never }],
    ['no conformance fixtures', { conformance: undefined as never }],
    ['a close that is not a function', { close: 'x' as never }],
  ])('refuses an action type with %s', (_what, over) => {
    expect(build({ actions: [action(over)] })).toThrow(RegistryError);
  });

  it('refuses an account whose config and secrets overlap, or without its conformance example (secrets listed when it has some)', () => {
    expect(build({ actions: [withAccount({})] })).not.toThrow();
    const overlap = accountSchemas(z.strictObject({ token: z.string() }), z.strictObject({ token: z.string() }));
    expect(build({ actions: [withAccount(overlap)] })).toThrow(/token are declared both as config and as secrets/);
    // An account without secrets is fine (a named destination), but one with secrets must list them for the suite.
    expect(build({ actions: [withAccount(accountSchemas(z.strictObject({ url: z.string() }), z.strictObject({})), { account: { example: () => ({ url: 'u' }), secrets: [] } })] })).not.toThrow();
    expect(build({ actions: [withAccount({}, { account: { example: () => ({ url: 'u', token: 't' }), secrets: [] } })] })).toThrow(/conformance.account/);
    expect(build({ actions: [withAccount({ secretFields: [] })] })).toThrow(/secretFields/);
    expect(build({ actions: [withAccount({}, { account: undefined })] })).toThrow(/conformance.account/);
    expect(build({ actions: [withAccount({ destination: undefined as never })] })).toThrow(/destination/);
  });

  it.each(['name', 'description', 'enabled'])('refuses an account that declares %s, a field every account has', (field) => {
    const asConfig = accountSchemas(z.strictObject({ url: z.string(), [field]: z.string() }), z.strictObject({ token: z.string() }));
    expect(build({ actions: [withAccount(asConfig)] })).toThrow(new RegExp(`account field\\(s\\) ${field} would shadow`));
    const asSecret = accountSchemas(z.strictObject({ url: z.string() }), z.strictObject({ token: z.string(), [field]: z.string() }));
    expect(build({ actions: [withAccount(asSecret)] })).toThrow(new RegExp(`account field\\(s\\) ${field} would shadow`));
  });

  it('refuses a channel format without an account or a format function, and channelOf beside an account', () => {
    const format = { format: () => ({ kind: 'fire' as const, request: {}, summary: '' }) };
    expect(build({ actions: [withAccount({}, {})] })).not.toThrow();
    expect(createRegistry({ actions: [{ ...withAccount({}), channel: format }], checks: [] }).channelTypes).toEqual(['probe']);
    expect(build({ actions: [action({ channel: format })] })).toThrow(/`channel` without an `account`/);
    expect(build({ actions: [{ ...withAccount({}), channel: {} as never }] })).toThrow(/`channel` needs `format/);
    expect(build({ actions: [action({ channelOf: () => 'c' })] })).not.toThrow();
    expect(build({ actions: [{ ...withAccount({}), channelOf: () => 'c' }] })).toThrow(/`channelOf` with an `account`/);
    expect(build({ actions: [action({ channelOf: 'c' as never })] })).toThrow(/`channelOf` must be a function/);
  });

  it('refuses a check type whose schema does not take its own name or an alias', () => {
    expect(build({ checks: [check()] })).not.toThrow();
    expect(build({ checks: [check({ aliases: ['probe.alias'] })] })).toThrow(/does not accept "probe.alias"/);
    expect(build({ checks: [check({ schema: z.object({ type: z.literal('probe') }) })] })).toThrow(/strict zod object/);
    expect(build({ checks: [check({ conformance: undefined as never })] })).toThrow(/conformance.valid/);
  });

  it('tells a disabled type from an unknown one, and refuses to disable a type it does not know', () => {
    const r = createRegistry(builtinTypes, { disabled: ['webhook'] });
    expect(r.enabled('webhook')).toMatchObject({ ok: false, code: 'ACTION_TYPE_DISABLED' });
    expect(r.enabled('nope')).toMatchObject({ ok: false, code: 'UNKNOWN_ACTION_TYPE' });
    expect(r.enabled('email')).toMatchObject({ ok: true, type: r.action('email') });
    // Known still: watches naming it are told it is disabled, and its accounts can be managed.
    expect(r.action('webhook')).toBe(webhookAction);
    expect(r.accountTypes).toContain(webhookAction);
    expect(() => createRegistry(builtinTypes, { disabled: ['webhok'] })).toThrow(VigilError);
    expect(() => createRegistry(builtinTypes, { disabled: ['webhok'] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('close() closes every type that holds something, even after one fails', async () => {
    const closed: string[] = [];
    const r = createRegistry({
      actions: [
        action({ type: 'a', close: async () => void closed.push('a') }),
        action({ type: 'b', close: async () => Promise.reject(new Error('b failed')) }),
        action({ type: 'c', close: async () => void closed.push('c') }),
        action({ type: 'd' }),
      ],
      checks: [],
    });
    await expect(r.close()).rejects.toThrow('b failed');
    expect(closed).toEqual(['a', 'c']);
  });
});
