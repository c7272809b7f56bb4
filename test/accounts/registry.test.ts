import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import type { AccountRegistry } from '../../src/accounts/registry.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';
import { FakeClock } from '../kit/fake-clock.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    return (e as VigilError).code;
  }
  throw new Error('expected a VigilError');
}

const email = { host: 'smtp.example.com', user: 'ops', password: 'Pa55-word!', proxy_host: 'socks', proxy_password: 'pr0xy-secret' };

async function fileText(type: string, id: string): Promise<string> {
  return readFile(join(dir, type, `${id}.json`), 'utf8');
}

describe('AccountRegistry', () => {
  let reg: AccountRegistry;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    reg = await openTest(dir, await ringOf(key(1)), { clock });
  });

  it('round-trips an account: clear fields in clear, secrets sealed, resolve decrypts and applies defaults', async () => {
    expect(await reg.put('email', 'ops', email)).toEqual({ created: true });
    expect(await reg.put('email', 'ops', email)).toEqual({ created: false });
    const onDisk = JSON.parse(await fileText('email', 'ops'));
    expect(onDisk.host).toBe('smtp.example.com');
    expect(onDisk._internal_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(onDisk.password).toMatch(/^vigil:v1:[0-9a-f]{16}:/);
    expect(onDisk.proxy_password).toMatch(/^vigil:v1:/);
    const text = await fileText('email', 'ops');
    expect(text).not.toContain('Pa55-word!');
    expect(text).not.toContain('pr0xy-secret');
    const acc = (await reg.resolve('email', 'ops')) as Record<string, unknown>;
    expect(acc).toEqual({ ...email, port: 25 });
    expect(Object.isFrozen(acc)).toBe(true);
    expect(await reg.exists('email', 'ops')).toBe(true);
    expect(await reg.exists('email', 'nope')).toBe(false);
  });

  it('PUT keeps an omitted secret, clears a null one and replaces a given one', async () => {
    await reg.put('email', 'ops', email);
    const before = JSON.parse(await fileText('email', 'ops'));
    await clock.advance(60_000);
    await reg.put('email', 'ops', { host: 'smtp2.example.com', proxy_password: null });
    const acc = (await reg.resolve('email', 'ops')) as Record<string, unknown>;
    expect(acc).toEqual({ host: 'smtp2.example.com', port: 25, password: 'Pa55-word!' });
    const after = JSON.parse(await fileText('email', 'ops'));
    expect(after.password).toBe(before.password); // kept as is, not resealed
    expect(after._internal_id).toBe(before._internal_id);
    expect(after._secret_updated_at.password).toBe(before._secret_updated_at.password);
    expect(after._updated_at).not.toBe(before._updated_at);
    await reg.put('email', 'ops', { host: 'h', password: 'new-password' });
    expect(((await reg.resolve('email', 'ops')) as { password: string }).password).toBe('new-password');
  });

  it('headers.* secrets: per-header keep, clear and replace; object secrets (auth) round-trip', async () => {
    const auth = { type: 'basic', username: 'u', password: 'basic-secret' };
    await reg.put('webhook', 'hook', { url: 'https://h.example/x', headers: { 'X-Api-Key': 'k-secret-1', 'X-Team': 't-secret-2' }, auth });
    const disk = JSON.parse(await fileText('webhook', 'hook'));
    expect(disk.headers['X-Api-Key']).toMatch(/^vigil:v1:/);
    expect(typeof disk.auth).toBe('string');
    expect(await reg.resolve('webhook', 'hook')).toEqual({ url: 'https://h.example/x', headers: { 'X-Api-Key': 'k-secret-1', 'X-Team': 't-secret-2' }, auth });

    await reg.put('webhook', 'hook', { url: 'https://h.example/x', headers: { 'X-Api-Key': null, 'X-New': 'n-secret-3' } });
    expect(await reg.resolve('webhook', 'hook')).toEqual({ url: 'https://h.example/x', headers: { 'X-Team': 't-secret-2', 'X-New': 'n-secret-3' }, auth });

    await reg.put('webhook', 'hook', { url: 'https://h.example/y', headers: null, auth: null });
    expect(await reg.resolve('webhook', 'hook')).toEqual({ url: 'https://h.example/y' });
  });

  it('GET, search and errors never contain a secret or a ciphertext', async () => {
    await reg.put('email', 'ops', email);
    await reg.put('webhook', 'hook', { url: 'https://h.example/x', headers: { 'X-Api-Key': 'k-secret-1' }, auth: { type: 'basic', username: 'u', password: 'basic-secret' } });
    const got = await reg.getPublic('email', 'ops');
    expect(got.account.host).toBe('smtp.example.com');
    expect(got.account.password).toEqual({ set: true, kid: expect.stringMatching(/^[0-9a-f]{16}$/), updated_at: '2025-01-01T00:00:00.000Z' });
    const hook = await reg.getPublic('webhook', 'hook');
    expect((hook.account.headers as Record<string, unknown>)['X-Api-Key']).toMatchObject({ set: true });
    const all = await reg.search({ from: 0, size: 10 });
    expect(all.total).toBe(2);
    const errors: string[] = [];
    for (const bad of [{ host: 1, password: 'Pa55-word!' }, { host: 'h', password: 'Pa55-word!', extra: 'pr0xy-secret' }]) {
      try {
        await reg.put('email', 'ops', bad);
      } catch (e) {
        expect((e as VigilError).code).toBe('INVALID_REQUEST');
        errors.push(JSON.stringify((e as VigilError).toJSON()));
      }
    }
    expect(errors).toHaveLength(2);
    const out = JSON.stringify([got, hook, all, errors]);
    for (const secret of ['Pa55-word!', 'pr0xy-secret', 'k-secret-1', 'basic-secret', 'vigil:v1']) expect(out).not.toContain(secret);
    expect(errors[0]).toContain('"host"');
    // the invalid PUTs changed nothing
    expect(((await reg.resolve('email', 'ops')) as { host: string }).host).toBe('smtp.example.com');
  });

  it('search filters by type and id prefix and pages; list and delete', async () => {
    for (const id of ['a1', 'a2', 'b1']) await reg.put('email', id, { host: 'h' });
    await reg.put('webhook', 'a9', { url: 'https://x.example' });
    expect(await reg.list()).toEqual([
      { type: 'email', id: 'a1' }, { type: 'email', id: 'a2' }, { type: 'email', id: 'b1' }, { type: 'webhook', id: 'a9' },
    ]);
    const page = await reg.search({ idPrefix: 'a', from: 1, size: 1 });
    expect(page.total).toBe(3);
    expect(page.hits.map((h) => `${h.type}/${h.id}`)).toEqual(['email/a2']);
    expect((await reg.search({ type: 'webhook' })).hits.map((h) => h.id)).toEqual(['a9']);
    expect(await reg.delete('email', 'a1')).toEqual({ deleted: true });
    expect(await reg.delete('email', 'a1')).toEqual({ deleted: false });
    expect(await code(reg.getPublic('email', 'a1'))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(reg.resolve('email', 'a1'))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(reg.put('log', 'x', {}))).toBe('INVALID_REQUEST');
    expect(await code(reg.getPublic('slack', 'x'))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(reg.search({ size: 5000 }))).toBe('INVALID_REQUEST');
  });

  it('accepts the type and _name of Signals exports, checks them, and keeps neither', async () => {
    expect(await reg.put('email', 'ops', { type: 'email', _name: 'ops-from-signals', ...email })).toEqual({ created: true });
    expect(await reg.resolve('email', 'ops')).toEqual({ ...email, port: 25 });
    const onDisk = JSON.parse(await fileText('email', 'ops'));
    expect(onDisk.type).toBeUndefined();
    expect(onDisk._name).toBeUndefined();
    expect((await reg.getPublic('email', 'ops')).account).not.toHaveProperty('_name');
    await reg.put('webhook', 'hook', { type: 'webhook', _name: 'hook', url: 'https://h.example/x' });
    const wrong = await reg.put('webhook', 'hook', { type: 'email', _name: 7, url: 'https://h.example/y' }).catch((e: unknown) => e as VigilError);
    expect((wrong as VigilError).code).toBe('INVALID_REQUEST');
    expect(Object.keys((wrong as VigilError).detail ?? {}).sort()).toEqual(['_name', 'type']);
    expect(await reg.resolve('webhook', 'hook')).toEqual({ url: 'https://h.example/x' });
    // `$schema`, for editor completion of an account document, is checked and dropped as well.
    expect(await reg.put('webhook', 'hook', { $schema: '../schemas/account-webhook.schema.json', url: 'https://h.example/x' })).toEqual({ created: false });
    expect(JSON.parse(await fileText('webhook', 'hook'))).not.toHaveProperty('$schema');
    const badSchema = await reg.put('webhook', 'hook', { $schema: 1, url: 'https://h.example/x' }).catch((e: unknown) => e as VigilError);
    expect(Object.keys((badSchema as VigilError).detail ?? {})).toEqual(['$schema']);
    // A file written before these fields were dropped at PUT still resolves.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'webhook', 'hook.json'), JSON.stringify({ ...JSON.parse(await fileText('webhook', 'hook')), type: 'webhook' }));
    expect(await reg.resolve('webhook', 'hook')).toEqual({ url: 'https://h.example/x' });
  });

  it('feeds decrypted secrets to the redactor', async () => {
    await reg.put('email', 'ops', email);
    expect(reg.redactor.scrub('login failed for Pa55-word!')).toBe('login failed for Pa55-word!');
    await reg.resolve('email', 'ops');
    expect(reg.redactor.scrub('login failed for Pa55-word! via pr0xy-secret')).toBe('login failed for [redacted] via [redacted]');
  });

  it('serialises concurrent PUTs of one account without losing either', async () => {
    await Promise.all([reg.put('email', 'ops', { host: 'h1', password: 'p-one' }), reg.put('email', 'ops', { host: 'h2' })]);
    // the second PUT ran after the first and kept its password
    expect(await reg.resolve('email', 'ops')).toEqual({ host: 'h2', port: 25, password: 'p-one' });
  });

  it('a stored account that no longer matches its schema fails with CONFIG_INVALID, secrets kept out', async () => {
    await reg.put('email', 'ops', { host: 'h', password: 'Pa55-word!' });
    const file = join(dir, 'email', 'ops.json');
    const doc = JSON.parse(await fileText('email', 'ops'));
    doc.host = 42;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify(doc));
    const e = await reg.resolve('email', 'ops').catch((x: unknown) => x as VigilError);
    expect(e).toBeInstanceOf(VigilError);
    expect((e as VigilError).code).toBe('CONFIG_INVALID');
    expect(Object.keys((e as VigilError).detail ?? {})).toEqual(['host']);
    expect(JSON.stringify((e as VigilError).toJSON())).not.toContain('Pa55-word!');
  });

  it('a short secret does not shred the words of a validation message', async () => {
    const e = await reg.put('email', 'ops', { host: 42, password: 'v' }).catch((x: unknown) => x as VigilError);
    expect((e as VigilError).code).toBe('INVALID_REQUEST');
    const message = (e as VigilError).detail!.host![0]!.error;
    expect(message).toMatch(/^Invalid input/);
    expect(message).not.toContain('[redacted]');
  });

  it('names every unknown account field at its own path, and keeps its value out', async () => {
    const e = await reg.put('email', 'ops', { host: 'h', colour: 'Pa55-word!', proxy: { kind: 1 } }).catch((x: unknown) => x as VigilError);
    expect((e as VigilError).code).toBe('INVALID_REQUEST');
    expect((e as VigilError).detail).toEqual({ colour: [{ error: 'unknown field' }], proxy: [{ error: 'unknown field' }] });
  });

  it('atomic writes leave no temp file behind; stale temp files are removed at open', async () => {
    for (let i = 0; i < 5; i++) await reg.put('email', 'ops', { host: `h${i}`, password: `p${i}` });
    expect((await readdir(join(dir, 'email'))).sort()).toEqual(['ops.json']);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'email', '.ops.json.0123456789abcdef.tmp'), '{"torn');
    await openTest(dir, await ringOf(key(1)));
    expect(await readdir(join(dir, 'email'))).toEqual(['ops.json']);
    expect(((await readdir(dir)).sort())).toEqual(['.keycheck.json', 'email']);
  });
});
