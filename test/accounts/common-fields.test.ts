/**
 * The fields every account has (`name`, `description`, `enabled`), whatever its type: checked, stored
 * beside the type's fields, shown by GET, kept away from the action type; a disabled account sends
 * nothing. Also the registry's `update` (a PUT built from the stored account), `expect` and `holders`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRegistry } from '../../src/accounts/registry.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';
import { FakeClock } from '../kit/fake-clock.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const hook = { url: 'https://h.example/x', headers: { 'X-Key': 'hdr-secret-ZZ91' } };

describe('common account fields', () => {
  let reg: AccountRegistry;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock('2025-03-01T12:00:00Z');
    reg = await openTest(dir, await ringOf(key(1)), { clock });
  });

  it('stores name, description and enabled beside the type fields, shows them in GET, keeps them from the type', async () => {
    await reg.put('webhook', 'ops', { ...hook, name: 'Ops hook', description: 'pages the ops team\nat night', enabled: true });
    const onDisk = JSON.parse(await readFile(join(dir, 'webhook', 'ops.json'), 'utf8'));
    expect(onDisk).toMatchObject({ name: 'Ops hook', description: 'pages the ops team\nat night', enabled: true, url: hook.url });
    const pub = await reg.getPublic('webhook', 'ops');
    expect(pub.account).toMatchObject({ name: 'Ops hook', description: 'pages the ops team\nat night', enabled: true, url: hook.url });
    expect(pub.created_at).toBe('2025-03-01T12:00:00.000Z');
    // The webhook schema is strict: were the common fields handed on, resolve would fail.
    expect(await reg.resolve('webhook', 'ops')).toEqual(hook);
  });

  it('refuses bad common fields at their path, without quoting them, and stores nothing', async () => {
    const err = await reg.put('webhook', 'ops', { ...hook, name: 'two\nlines', description: 7, enabled: 'yes' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
    const detail = (err as { detail: Record<string, unknown> }).detail;
    expect(Object.keys(detail).sort()).toEqual(['description', 'enabled', 'name']);
    expect(JSON.stringify(err)).not.toContain('two\\nlines');
    await expect(reg.put('webhook', 'ops', { ...hook, name: '' })).rejects.toMatchObject({ code: 'INVALID_REQUEST', detail: { name: expect.any(Array) } });
    await expect(reg.put('webhook', 'ops', { ...hook, name: 'x'.repeat(257) })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await reg.exists('webhook', 'ops')).toBe(false);
  });

  it('a disabled account is refused for sending (ACCOUNT_DISABLED) but still resolves for load-time checks', async () => {
    await reg.put('webhook', 'ops', { ...hook, enabled: false });
    await expect(reg.resolve('webhook', 'ops')).rejects.toMatchObject({ code: 'ACCOUNT_DISABLED', status: 409 });
    expect(await reg.resolve('webhook', 'ops', { allowDisabled: true })).toEqual(hook);
    await reg.put('webhook', 'ops', { url: hook.url, enabled: true });
    expect(await reg.resolve('webhook', 'ops')).toEqual(hook);
  });

  it('created_at stays through updates; update() builds the body from the stored fields, secrets left out and kept', async () => {
    await reg.put('webhook', 'ops', { ...hook, name: 'Ops' });
    await clock.advance(60_000);
    let seen: unknown;
    await reg.update('webhook', 'ops', (current) => {
      seen = current;
      return { ...current, description: 'added' };
    });
    expect(seen).toEqual({ name: 'Ops', url: hook.url, headers: {} });
    expect(JSON.stringify(seen)).not.toContain('vigil:v1:');
    const pub = await reg.getPublic('webhook', 'ops');
    expect(pub.account).toMatchObject({ name: 'Ops', description: 'added' });
    expect(pub.created_at).toBe('2025-03-01T12:00:00.000Z');
    expect(pub.updated_at).toBe('2025-03-01T12:01:00.000Z');
    expect(await reg.resolve('webhook', 'ops')).toEqual(hook);
  });

  it('expect: create refuses an existing account, update a missing one', async () => {
    await expect(reg.put('webhook', 'ops', hook, { expect: 'update' })).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(await reg.put('webhook', 'ops', hook, { expect: 'create' })).toEqual({ created: true });
    await expect(reg.put('webhook', 'ops', hook, { expect: 'create' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await reg.put('webhook', 'ops', hook, { expect: 'update' })).toEqual({ created: false });
  });

  it('holders names the types that have an account with an id', async () => {
    await reg.put('webhook', 'shared', hook);
    await reg.put('email', 'shared', { host: 'smtp.example.com' });
    await reg.put('email', 'mail', { host: 'smtp.example.com' });
    expect(await reg.holders('shared', ['webhook', 'email'])).toEqual(['email', 'webhook']);
    expect(await reg.holders('mail', ['webhook'])).toEqual([]);
    expect(await reg.holders('none', ['webhook', 'email'])).toEqual([]);
  });
});
