/** Wrong master key at start; rotation, interrupted and resumed; retiring a kid. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { keygen, rotateKeys } from '../../src/accounts/cli.ts';
import { keyRingFromEnv } from '../../src/accounts/keysource.ts';
import { key, openTest, ringOf, tempDir, testTypes } from './fixtures.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { silentLogger } from '../../src/log.ts';
import { rejected } from '../kit/rejected.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const b64 = (k: Uint8Array) => Buffer.from(k).toString('base64');

const rejection = (p: Promise<unknown>) => rejected(p, VigilError);

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('master key check at open', () => {
  it('a wrong key stops open with CONFIG_INVALID naming kids only, and touches nothing', async () => {
    const right = await ringOf(key(1));
    const reg = await openTest(dir, right);
    await reg.put('email', 'ops', { host: 'h', password: 'pw-1234' });
    const before = await snapshot();

    const wrongKey = key(9);
    const wrong = await ringOf(wrongKey);
    const e = await rejection(openTest(dir, wrong));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/^master key does not match the key ring \(kid /);
    expect(e.message).toContain(right.activeKid);
    expect(e.message).not.toContain(b64(wrongKey));
    expect(e.message).not.toContain(b64(key(1)));
    expect(e.message).not.toContain(Buffer.from(wrongKey).toString('hex'));
    expect(await snapshot()).toEqual(before);
  });

  it('a key ring whose kid is recorded but whose canary does not open is refused', async () => {
    await openTest(dir, await ringOf(key(1)));
    const file = join(dir, '.keycheck.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    const kid = Object.keys(doc.kids)[0]!;
    doc.kids[kid].canary = doc.kids[kid].canary.slice(0, -4) + 'AAAA';
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify(doc));
    const e = await rejection(openTest(dir, await ringOf(key(1))));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`kid ${kid}`);
  });

  it('without a key-check record (older directory), envelopes under an unknown kid are refused', async () => {
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.put('email', 'ops', { host: 'h', password: 'pw-1234' });
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, '.keycheck.json'));
    expect((await rejection(openTest(dir, await ringOf(key(2))))).code).toBe('CONFIG_INVALID');
    await openTest(dir, await ringOf(key(1))); // the right key re-creates the record
    expect((await stat(join(dir, '.keycheck.json'))).isFile()).toBe(true);
  });
});

describe('rotation', () => {
  async function seed(n: number) {
    const reg = await openTest(dir, await ringOf(key(1)));
    for (let i = 0; i < n; i++) {
      await reg.put('email', `acc${String(i).padStart(2, '0')}`, { host: 'h', password: `pw-${i}-secret`, proxy_password: `px-${i}-secret` });
    }
    await reg.put('webhook', 'hook', { url: 'https://x.example', headers: { 'X-Key': 'hdr-secret' } });
    return reg;
  }

  it('a new active key: old key still decrypts before rotation; after it every field is on the new kid', async () => {
    const old = await seed(3);
    const oldKid = (await old.keyUsage()).find((u) => u.fields > 0)!.kid;
    const ring = await ringOf(key(2), key(1));
    const reg = await openTest(dir, ring);
    expect(await reg.resolve('email', 'acc01')).toMatchObject({ password: 'pw-1-secret' });
    expect(await reg.keyUsage()).toEqual(
      expect.arrayContaining([{ kid: oldKid, state: 'decrypt-only', fields: 7 }, { kid: ring.activeKid, state: 'active', fields: 0 }]),
    );
    // new writes use the active kid
    await reg.put('email', 'fresh', { host: 'h', password: 'fresh-secret' });
    expect((await reg.getPublic('email', 'fresh')).account.password).toMatchObject({ kid: ring.activeKid });

    expect(await reg.rotate({ batchSize: 2 })).toEqual({ total: 5, successful: 5, failed: 0 });
    const usage = await reg.keyUsage();
    expect(usage.find((u) => u.kid === oldKid)!.fields).toBe(0);
    expect(usage.find((u) => u.kid === ring.activeKid)!.fields).toBe(8);
    expect(await reg.resolve('webhook', 'hook')).toMatchObject({ headers: { 'X-Key': 'hdr-secret' } });
    // idempotent: a second run rewrites nothing
    const before = await snapshot();
    expect(await reg.rotate({ batchSize: 2 })).toEqual({ total: 5, successful: 5, failed: 0 });
    expect(await snapshot()).toEqual(before);

    // retire: refused for the active kid, allowed for the unused old one; then the old key can go
    expect((await rejection(reg.retireKey(ring.activeKid))).code).toBe('CONFLICT');
    expect(await reg.retireKey(oldKid)).toEqual({ retired: true });
    const onlyNew = await openTest(dir, await ringOf(key(2)));
    expect(await onlyNew.resolve('email', 'acc02')).toMatchObject({ proxy_password: 'px-2-secret' });
  });

  it('refuses to retire a kid still in use', async () => {
    const old = await seed(1);
    const oldKid = (await old.keyUsage())[0]!.kid;
    const reg = await openTest(dir, await ringOf(key(2), key(1)));
    const e = await rejection(reg.retireKey(oldKid));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain('3 fields');
    // and dropping the old key from the ring without retiring it is refused at open
    expect((await rejection(openTest(dir, await ringOf(key(2))))).code).toBe('CONFIG_INVALID');
  });

  it('an interrupted rotation resumes: every field decrypts throughout, and the rerun ends with failed: 0', async () => {
    await seed(9);
    const ring = await ringOf(key(2), key(1));
    const reg = await openTest(dir, ring);
    const crash = new Error('simulated crash');
    let batches = 0;
    await expect(
      reg.rotate({ batchSize: 2 }, () => {
        if (++batches === 2) throw crash;
      }),
    ).rejects.toBe(crash);
    const mid = await reg.keyUsage();
    expect(mid.find((u) => u.kid === ring.activeKid)!.fields).toBe(8); // 4 accounts × 2 fields
    for (const { type, id } of await reg.list()) await reg.resolve(type, id); // all still readable

    // "restart": a new registry on the same directory and ring finishes the rest
    const again = await openTest(dir, ring);
    const progress: number[] = [];
    expect(await again.rotate({ batchSize: 4 }, (p) => void progress.push(p.done))).toEqual({ total: 10, successful: 10, failed: 0 });
    expect(progress).toEqual([4, 8, 10]);
    expect((await again.keyUsage()).filter((u) => u.kid !== ring.activeKid).every((u) => u.fields === 0)).toBe(true);
  });

  it('a rotation counts an undecryptable account as failed and carries on; only one rotation at a time', async () => {
    await seed(2);
    const file = join(dir, 'email', 'acc00.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.password = doc.proxy_password;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify(doc));
    const reg = await openTest(dir, await ringOf(key(2), key(1)));
    const first = reg.rotate({ batchSize: 1 });
    expect((await rejection(reg.rotate())).code).toBe('TOO_MANY_REQUESTS');
    expect(await first).toEqual({ total: 3, successful: 2, failed: 1 });
  });
});

describe('CLI helpers', () => {
  it('keygen prints a fresh base64 32-byte key that loads as a key ring', async () => {
    const lines: string[] = [];
    const k = await keygen((s) => lines.push(s));
    expect(lines).toEqual([k]);
    expect(Buffer.from(k, 'base64')).toHaveLength(32);
    expect(await keygen(() => undefined)).not.toBe(k);
    expect((await keyRingFromEnv(k)).list()).toHaveLength(1);
  });

  it('rotateKeys opens the registry (key check first) and rewraps', async () => {
    const reg = await openTest(dir, await ringOf(key(1)));
    await reg.put('email', 'ops', { host: 'h', password: 'pw-1234' });
    const keyring = await ringOf(key(2), key(1));
    const res = await rotateKeys({ dir, keyring, types: testTypes, logger: silentLogger(), clock: new FakeClock() });
    expect(res).toEqual({ total: 1, successful: 1, failed: 0 });
    expect((await reg.getPublic('email', 'ops')).account.password).toMatchObject({ kid: keyring.activeKid });
    await expect(rotateKeys({ dir, keyring: await ringOf(key(3)), types: testTypes })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
