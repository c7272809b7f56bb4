/** Tampered ciphertexts fail closed for that account only, with an audit event. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import type { AccountRegistry } from '../../src/accounts/registry.ts';
import { fromBase64Url, toBase64Url } from '../../src/accounts/sodium.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';
import { captureLogger } from '../kit/log-capture.ts';

let dir: string;
let cleanup: () => Promise<void>;
let reg: AccountRegistry;
let audit: string[];
let otherKid: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  audit = [];
  const ring = await ringOf(key(1), key(2));
  otherKid = ring.list().find((k) => k.state === 'decrypt-only')!.kid;
  reg = await openTest(dir, ring, { onDecryptFailure: (t, i, f) => audit.push(`${t}/${i}/${f}`) });
  await reg.put('email', 'victim', { host: 'h', password: 'victim-pass', proxy_password: 'victim-proxy' });
  await reg.put('email', 'other', { host: 'h', password: 'other-pass' });
  await reg.put('email', 'bystander', { host: 'h', password: 'bystander-pass' });
});
afterEach(async () => cleanup());

type Doc = Record<string, string>;
const path = (id: string) => join(dir, 'email', `${id}.json`);
const load = async (id: string): Promise<Doc> => JSON.parse(await readFile(path(id), 'utf8'));
const save = (id: string, doc: Doc) => writeFile(path(id), JSON.stringify(doc));

function flip(sealed: string, at: (len: number) => number): string {
  const parts = sealed.split(':');
  const raw = fromBase64Url(parts[3]!)!;
  raw[at(raw.length)]! ^= 0x80;
  return `${parts.slice(0, 3).join(':')}:${toBase64Url(raw)}`;
}

const cases: Array<[string, (victim: Doc, other: Doc) => void]> = [
  ['a bit of the nonce', (v) => (v.password = flip(v.password!, () => 5))],
  ['a bit of the ciphertext', (v) => (v.password = flip(v.password!, () => 24 + 3))],
  ['a bit of the tag', (v) => (v.password = flip(v.password!, (n) => n - 2))],
  ['the kid (to another key of the ring)', (v) => (v.password = v.password!.replace(/^vigil:v1:[0-9a-f]{16}/, `vigil:v1:${otherKid}`))],
  ['the kid (to an unknown one)', (v) => (v.password = v.password!.replace(/^vigil:v1:[0-9a-f]{16}/, 'vigil:v1:00000000deadbeef'))],
  ['the ciphertext for another account’s', (v, o) => (v.password = o.password!)],
  ['password moved into proxy_password', (v) => (v.proxy_password = v.password!)],
  ['the internal id', (v) => (v._internal_id = '00000000-0000-4000-8000-000000000000')],
];

describe('tampering', () => {
  it.each(cases)('changing %s fails closed for that account only', async (_what, tamper) => {
    const victim = await load('victim');
    const other = await load('other');
    tamper(victim, other);
    await save('victim', victim);

    let err: unknown;
    try {
      await reg.resolve('email', 'victim');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('ACCOUNT_DECRYPT_FAILED');
    expect((err as VigilError).message).toMatch(/email\/victim/);
    expect((err as VigilError).message).not.toMatch(/victim-pass|victim-proxy|other-pass/);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatch(/^email\/victim\/(password|proxy_password)$/);
    // others keep working, including the account whose ciphertext was copied
    expect(await reg.resolve('email', 'other')).toMatchObject({ password: 'other-pass' });
    expect(await reg.resolve('email', 'bystander')).toMatchObject({ password: 'bystander-pass' });
    // GET still works and shows no secret; setting the secrets again makes the account usable
    expect(JSON.stringify(await reg.getPublic('email', 'victim'))).not.toMatch(/victim-pass|vigil:v1/);
    await reg.put('email', 'victim', { host: 'h', password: 'fresh-pass', proxy_password: null });
    expect(await reg.resolve('email', 'victim')).toMatchObject({ password: 'fresh-pass' });
  });

  it('a PUT that keeps a tampered secret fails instead of re-sealing it', async () => {
    const victim = await load('victim');
    victim.password = flip(victim.password!, () => 30);
    await save('victim', victim);
    await expect(reg.put('email', 'victim', { host: 'h2' })).rejects.toMatchObject({ code: 'ACCOUNT_DECRYPT_FAILED' });
    expect((await load('victim')).host).toBe('h');
  });

  it('logs name the account and field on a failure, never a secret or a ciphertext', async () => {
    const { logger, text: logText } = captureLogger('trace', { redact: false });
    const logged = await openTest(dir, await ringOf(key(1), key(2)), { logger });
    const victim = await load('victim');
    const sealed = victim.password!;
    victim.password = flip(sealed, () => 40);
    await save('victim', victim);
    await expect(logged.resolve('email', 'victim')).rejects.toMatchObject({ code: 'ACCOUNT_DECRYPT_FAILED' });
    await logged.resolve('email', 'other');
    await logged.rotate({ batchSize: 1 });
    const text = logText();
    expect(text).toContain('"account":"victim"');
    expect(text).toContain('"field":"password"');
    for (const s of ['victim-pass', 'victim-proxy', 'other-pass', 'bystander-pass', 'vigil:v1']) expect(text).not.toContain(s);
  });
});
