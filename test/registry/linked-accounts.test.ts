/**
 * Linked account types: account types an action type owns besides its own (e-mail's `ses`, `exchange`
 * and `email_group`). The registry lists them with their owner, refuses a name given twice or a lookup
 * type that would hold secrets, and resolves what an action's `account` names (`id` or `<type>:<id>`).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, RegistryError } from '../../src/registry/registry.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import type { ActionType, LinkedAccountType } from '../../src/actions/types.ts';
import { accountSchemas } from '../../src/actions/shared/account-schema.ts';
import { lookupFor } from '../../src/registry/account-access.ts';

function linked(over: Partial<LinkedAccountType> = {}): LinkedAccountType {
  return {
    ...accountSchemas(z.strictObject({ region: z.string() }), z.strictObject({ key: z.string() })),
    type: 'probe_sender',
    role: 'sender',
    destination: () => null,
    conformance: { example: () => ({ region: 'r', key: 'k' }), secrets: ['k'], overHttp: false },
    ...over,
  };
}

const lookupType = (over: Partial<LinkedAccountType> = {}) =>
  linked({ ...accountSchemas(z.strictObject({ emails: z.array(z.string()) }), z.strictObject({})), type: 'probe_group', role: 'lookup', conformance: { example: () => ({ emails: [] }), secrets: [], overHttp: false }, ...over });

function action(over: Partial<ActionType> = {}): ActionType {
  return {
    type: 'probe',
    params: z.strictObject({ text: z.string() }),
    account: { ...accountSchemas(z.strictObject({ url: z.string() }), z.strictObject({ token: z.string() })), required: true, destination: () => null },
    compile: () => ({ render: () => ({ kind: 'fire', request: {}, summary: 's' }) }),
    deliver: async () => ({ ok: true }),
    conformance: { params: () => ({ text: 't' }), overHttp: false, account: { example: () => ({ url: 'u', token: 't' }), secrets: ['t'] } },
    linkedAccounts: [linked(), lookupType()],
    ...over,
  };
}

const build = (actions: ActionType[]) => () => createRegistry({ actions, checks: [] });

describe('linked account types', () => {
  it('are account types of their own, listed with their owner and role', () => {
    const r = createRegistry({ actions: [action()], checks: [] });
    expect(r.accounts.map((a) => [a.type, a.owner.type, a.role])).toEqual([
      ['probe', 'probe', 'own'],
      ['probe_sender', 'probe', 'sender'],
      ['probe_group', 'probe', 'lookup'],
    ]);
    expect(r.accountType('probe_sender')?.manifest).toBe(r.action('probe')!.linkedAccounts![0]);
    // Not action types: a watch cannot name them as `type`.
    expect(r.action('probe_sender')).toBeUndefined();
  });

  it("resolves an action's account reference: an id is the own type's, <type>:<id> a sender's", () => {
    const r = createRegistry({ actions: [action(), action({ type: 'other', linkedAccounts: [] })], checks: [] });
    expect(r.accountRef('probe', 'alerts')).toEqual({ ok: true, type: 'probe', id: 'alerts' });
    expect(r.accountRef('probe', 'probe:alerts')).toEqual({ ok: true, type: 'probe', id: 'alerts' });
    expect(r.accountRef('probe', 'probe_sender:alerts')).toEqual({ ok: true, type: 'probe_sender', id: 'alerts' });
    // A lookup account is read by name, never sent with; another action type's account is not this one's.
    expect(r.accountRef('probe', 'probe_group:alerts')).toMatchObject({ ok: false, message: expect.stringContaining('account types it can use: probe, probe_sender') });
    expect(r.accountRef('other', 'probe_sender:alerts')).toMatchObject({ ok: false });
    expect(r.accountRef('probe', 'nope:alerts')).toMatchObject({ ok: false });
  });

  it('refuses an account type name given twice, or that of an action type', () => {
    expect(build([action()])).not.toThrow();
    expect(build([action({ linkedAccounts: [linked(), linked()] })])).toThrow(/account type "probe_sender" of action type "probe" is already/);
    expect(build([action({ linkedAccounts: [linked({ type: 'probe' })] })])).toThrow(RegistryError);
    expect(build([action(), action({ type: 'probe_sender', linkedAccounts: [] })])).toThrow(/already an account type/);
    const plain = action({ type: 'probe_sender', account: undefined, linkedAccounts: undefined, conformance: { params: () => ({ text: 't' }), overHttp: false } });
    expect(build([action(), plain])).toThrow(/also the name of an action type/);
  });

  it('refuses a lookup type with a secret, a sender without one, a bad role or name, and missing fixtures', () => {
    expect(build([action({ linkedAccounts: [lookupType({ ...accountSchemas(z.strictObject({}), z.strictObject({ key: z.string() })) })] })])).toThrow(/a lookup account holds no secret/);
    expect(build([action({ linkedAccounts: [linked({ ...accountSchemas(z.strictObject({ region: z.string() }), z.strictObject({})) })] })])).toThrow(/declares no field/);
    expect(build([action({ linkedAccounts: [linked({ role: 'other' as never })] })])).toThrow(/role/);
    expect(build([action({ linkedAccounts: [linked({ type: 'Bad Name' })] })])).toThrow(/linkedAccounts\[0\].type/);
    expect(build([action({ linkedAccounts: [linked({ conformance: undefined as never })] })])).toThrow(/linkedAccounts\[0\].conformance/);
    expect(build([action({ linkedAccounts: [linked({ destination: undefined as never })] })])).toThrow(/linkedAccounts\[0\].destination/);
    expect(build([action({ account: undefined, conformance: { params: () => ({ text: 't' }), overHttp: false } })])).toThrow(/linkedAccounts` without an `account`/);
  });

  it('refuses a channel format or references that are not functions', () => {
    expect(build([action({ channel: {} as never })])).toThrow(/`channel` needs `format`/);
    expect(build([action({ references: { params: 'x' as never } })])).toThrow(/references/);
  });

  it("a send reads its own type's lookup accounts only", async () => {
    const r = createRegistry({ actions: [action(), action({ type: 'other', linkedAccounts: [] })], checks: [] });
    const read: string[] = [];
    const reader = { resolve: async (type: string, id: string) => (read.push(`${type}/${id}`), { emails: [] }) };
    await expect(lookupFor(r, reader, r.action('probe')!)('probe_group', 'g1')).resolves.toEqual({ emails: [] });
    await expect(lookupFor(r, reader, r.action('other')!)('probe_group', 'g1')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    // Senders and own accounts hold secrets: they are never looked up by name.
    await expect(lookupFor(r, reader, r.action('probe')!)('probe_sender', 's1')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    await expect(lookupFor(r, reader, r.action('probe')!)('probe', 'p1')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    await expect(lookupFor(r, null, r.action('probe')!)('probe_group', 'g1')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(read).toEqual(['probe_group/g1']);
  });

  it("Vigil's own: e-mail sends through SMTP, SES or Exchange accounts and reads recipient groups", () => {
    const r = builtinRegistry();
    const email = r.accounts.filter((a) => a.owner.type === 'email').map((a) => [a.type, a.role]);
    expect(email).toEqual([
      ['email', 'own'],
      ['ses', 'sender'],
      ['exchange', 'sender'],
      ['email_group', 'lookup'],
    ]);
  });
});
