/**
 * Stored proxies and trust stores in the accounts store: a proxy's password sealed like an account
 * secret and rotated with the accounts, neither kind listed among the accounts, an unreadable file
 * taking only itself out, and what a request resolves cached until the document is written.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { makeTestPki } from '../kit/certs.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';
import { rejected } from '../kit/rejected.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const PASSWORD = 'pr0xy-Secret-Mike';

const rejection = (p: Promise<unknown>) => rejected(p, VigilError);

describe('stored proxies and trust stores in the accounts store', () => {
  it('seal the proxy password in a directory of their own, never listed among the accounts', async () => {
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.put('email', 'mail', { host: 'h', password: 'pw' });
    await reg.proxies.put('corp', { uri: `http://ops:${PASSWORD}@proxy.example:3128` });
    await reg.truststores.put('ca', { pem: (await makeTestPki()).caCert });
    const text = await readFile(join(dir, '_proxies', 'corp.json'), 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(JSON.parse(text)).toMatchObject({ uri: 'http://ops@proxy.example:3128', password: expect.stringMatching(/^vigil:v1:/) });
    expect(await reg.list()).toEqual([{ type: 'email', id: 'mail' }]);
    expect((await reg.search()).hits.map((a) => a.id)).toEqual(['mail']);
    // The reserved kinds cannot be reached as account types.
    expect((await rejection(reg.getPublic('_proxies', 'corp'))).code).toBe('ACCOUNT_NOT_FOUND');
    expect((await rejection(reg.put('_proxies', 'corp', { uri: 'http://elsewhere:1' }))).code).toBe('INVALID_REQUEST');
    expect(await reg.proxies.url('corp')).toBe(`http://ops:${PASSWORD}@proxy.example:3128/`);
  });

  it('key rotation rewraps proxy passwords too, so the old key can be retired', async () => {
    const old = await openTest(dir, await ringOf(key(1)));
    await old.proxies.put('corp', { uri: `http://ops:${PASSWORD}@proxy.example:3128` });
    const oldKid = (await old.keyUsage()).find((u) => u.fields > 0)!.kid;
    const ring = await ringOf(key(2), key(1));
    const reg = await openTest(dir, ring);
    expect(await reg.rotate()).toEqual({ total: 1, successful: 1, failed: 0 });
    expect((await reg.keyUsage()).find((u) => u.kid === oldKid)!.fields).toBe(0);
    expect(await reg.retireKey(oldKid)).toEqual({ retired: true });
    const onlyNew = await openTest(dir, await ringOf(key(2)));
    expect(await onlyNew.proxies.url('corp')).toBe(`http://ops:${PASSWORD}@proxy.example:3128/`);
  });

  it('a resolved value is served from cache until the document is written or deleted', async () => {
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.proxies.put('corp', { uri: 'http://proxy-a.example:3128' });
    expect(await reg.proxies.url('corp')).toBe('http://proxy-a.example:3128/');
    // A change behind the registry's back is not seen: the cache serves…
    const file = join(dir, '_proxies', 'corp.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('proxy-a', 'proxy-b'));
    expect(await reg.proxies.url('corp')).toBe('http://proxy-a.example:3128/');
    // …until a write through the registry, which drops it.
    await reg.proxies.put('corp', { uri: 'http://proxy-c.example:3128' });
    expect(await reg.proxies.url('corp')).toBe('http://proxy-c.example:3128/');
    await reg.proxies.delete('corp');
    expect((await rejection(reg.proxies.url('corp'))).code).toBe('NOT_FOUND');
  });

  it('an unreadable file takes only itself out, and can be written again', async () => {
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.proxies.put('good', { uri: 'http://proxy.example:3128' });
    await reg.proxies.put('bad', { uri: 'http://proxy.example:3129' });
    await writeFile(join(dir, '_proxies', 'bad.json'), '{not json');
    const reopened = await openTest(dir, await ringOf(key(1)));
    expect((await reopened.proxies.list()).map((p) => p.id)).toEqual(['good']);
    expect((await rejection(reopened.proxies.get('bad'))).code).toBe('ACCOUNT_UNUSABLE');
    expect((await reopened.proxies.put('bad', { uri: 'http://proxy.example:3130' })).created).toBe(false);
    expect(await reopened.proxies.url('bad')).toBe('http://proxy.example:3130/');
  });
});
