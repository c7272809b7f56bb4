/**
 * Accounts by tenant: `tenants` on every account type names the tenants whose watches may use it (none
 * named: every tenant). Stored in clear beside the account, never handed to the action type, checked at
 * each use that names a tenant; the `_test` path names none.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRegistry } from '../../src/accounts/registry.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let reg: AccountRegistry;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  reg = await openTest(dir, await ringOf(key(1)));
});
afterEach(async () => cleanup());

const hook = { url: 'https://hooks.example.com/x', headers: { 'x-api-key': 'k3y-secret' } };

describe('account tenants', () => {
  it('are stored in clear and shown, never given to the action type; a tenant not named is refused before any secret is opened', async () => {
    await reg.put('webhook', 'team_a', { ...hook, tenants: ['a', 'ops', 'a'] });
    expect(JSON.parse(await readFile(join(dir, 'webhook', 'team_a.json'), 'utf8')).tenants).toEqual(['a', 'ops']);
    expect((await reg.getPublic('webhook', 'team_a')).account).toMatchObject({ url: hook.url, tenants: ['a', 'ops'] });
    expect(await reg.resolve('webhook', 'team_a', { tenant: 'a' })).toEqual(hook);
    await expect(reg.resolve('webhook', 'team_a', { tenant: 'b' })).rejects.toMatchObject({
      code: 'MISSING_PRIVILEGES',
      message: "account webhook/team_a may be used only by tenants a, ops, not by tenant 'b'",
    });
    // The account test names no tenant: it is not a watch's use.
    expect(await reg.resolve('webhook', 'team_a')).toEqual(hook);
  });

  it('an account naming no tenants may be used by every tenant; an empty list by none', async () => {
    await reg.put('webhook', 'shared', hook);
    expect(await reg.resolve('webhook', 'shared', { tenant: 'anyone' })).toEqual(hook);
    await reg.put('webhook', 'closed', { ...hook, tenants: [] });
    await expect(reg.resolve('webhook', 'closed', { tenant: '_main' })).rejects.toMatchObject({ code: 'MISSING_PRIVILEGES' });
  });

  it('a bad list is refused with its path, on every account type, and nothing is stored', async () => {
    await expect(reg.put('email', 'ops', { host: 'smtp.example.com', tenants: ['ok', '../b', 7] })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      detail: { 'tenants[1]': [expect.anything()], 'tenants[2]': [expect.anything()] },
    });
    await expect(reg.put('webhook', 'x', { ...hook, tenants: 'a' })).rejects.toMatchObject({ detail: { tenants: [expect.anything()] } });
    expect(await reg.exists('email', 'ops')).toBe(false);
  });
});
