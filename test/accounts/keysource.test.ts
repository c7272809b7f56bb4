import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { computeKid, KeyRing, tokenPepper } from '../../src/accounts/keyring.ts';
import { keyRingFromEnv, keyRingFromFile, loadKeyRing } from '../../src/accounts/keysource.ts';
import { loadSodium } from '../../src/accounts/sodium.ts';
import { key } from './fixtures.ts';
import { captureLogger } from '../kit/log-capture.ts';

const b64 = (k: Uint8Array) => Buffer.from(k).toString('base64');
const b64url = (k: Uint8Array) => Buffer.from(k).toString('base64url');

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'vigil-keys-'));
  await loadSodium();
});
afterEach(async () => rm(base, { recursive: true, force: true }));

async function err(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    expect((e as VigilError).code).toBe('CONFIG_INVALID');
    return e as VigilError;
  }
  throw new Error('expected CONFIG_INVALID');
}

async function keyFile(content: string, mode = 0o600): Promise<string> {
  const p = join(base, 'master.key');
  await writeFile(p, content);
  await chmod(p, mode);
  return p;
}

describe('key sources', () => {
  it('VIGIL_MASTER_KEY: one key, or a list whose first key is active (base64 or base64url)', async () => {
    const one = await loadKeyRing({ env: { VIGIL_MASTER_KEY: b64(key(1)) } });
    expect(one.list()).toEqual([{ kid: computeKid(key(1)), state: 'active' }]);
    const three = await keyRingFromEnv(`${b64(key(3))}, ${b64url(key(255))},${b64(key(1))}`);
    expect(three.activeKid).toBe(computeKid(key(3)));
    expect(three.list().map((k) => k.state)).toEqual(['active', 'decrypt-only', 'decrypt-only']);
    expect(three.has(computeKid(key(255)))).toBe(true);
  });

  it('refuses bad keys without echoing them', async () => {
    const short = Buffer.alloc(31, 7).toString('base64');
    for (const bad of [short, 'not base64 at all!', `${b64(key(1))},${b64(key(1))}`]) {
      const e = await err(keyRingFromEnv(bad));
      expect(e.message).not.toContain(short);
      expect(e.message).not.toContain(b64(key(1)));
    }
    expect((await err(loadKeyRing({ env: {} }))).message).toMatch(/VIGIL_MASTER_KEY.*--key-file.*keygen/);
  });

  it('key file: JSON ring or a bare base64 line; the file wins over the environment', async () => {
    const json = await keyFile(JSON.stringify({ keys: [{ key: b64(key(1)), state: 'decrypt-only' }, { key: b64(key(2)), state: 'active' }] }));
    const ring = await loadKeyRing({ keyFile: json, env: { VIGIL_MASTER_KEY: b64(key(9)) } });
    expect(ring.activeKid).toBe(computeKid(key(2)));
    expect(ring.state(computeKid(key(1)))).toBe('decrypt-only');
    const bare = await keyFile(`${b64(key(4))}\n`);
    expect((await keyRingFromFile(bare)).activeKid).toBe(computeKid(key(4)));
  });

  it('key file errors name the file, never the content', async () => {
    for (const content of [
      `{"keys": [{"key": "${b64(key(1))}", "state": "active"}, {"key": "${b64(key(2))}", "state": "active"}]}`,
      `{"keys": [{"key": "${b64(key(1))}", "state": "decrypt-only"}]}`,
      `{"keys": [{"key": "${b64(key(1))}" "state": "active"}]}`,
      `{"keys": [{"key": "${b64(key(1))}", "state": "sometimes"}]}`,
    ]) {
      const e = await err(keyRingFromFile(await keyFile(content)));
      expect(e.message).not.toContain(b64(key(1)));
      expect(e.message).not.toContain(b64(key(1)).slice(0, 12));
    }
    expect((await err(keyRingFromFile(join(base, 'missing.key')))).message).toContain('ENOENT');
  });

  it('refuses a key file readable by group or others, unless allowed (then warns)', async () => {
    const p = await keyFile(b64(key(1)), 0o644);
    expect((await err(keyRingFromFile(p))).message).toMatch(/chmod 600/);
    const { logger, text } = captureLogger('warn', { redact: false });
    const ring = await keyRingFromFile(p, { allowInsecureKeyFile: true, logger });
    expect(ring.activeKid).toBe(computeKid(key(1)));
    expect(text()).toMatch(/mode 644/);
    expect(text()).not.toContain(b64(key(1)));
  });

  it('a ring never shows its keys when logged or serialised; purpose subkeys differ', async () => {
    const ring = await KeyRing.create([{ key: key(1), state: 'active' }]);
    const { inspect } = await import('node:util');
    const shown = `${inspect(ring)} ${JSON.stringify(ring)} ${String(Object.keys(ring))}`;
    expect(shown).toContain(ring.activeKid);
    expect(shown).not.toContain(b64(key(1)));
    expect(shown).not.toMatch(/1, 1, 1|\b1,1,1/);
    const pepper = tokenPepper(ring);
    expect(pepper).toHaveLength(32);
    expect(Buffer.from(pepper).equals(Buffer.from(ring.subkey(ring.activeKid, 'accounts')))).toBe(false);
    expect(Buffer.from(pepper).equals(Buffer.from(key(1)))).toBe(false);
    ring.destroy();
    expect(() => ring.subkey(ring.activeKid, 'accounts')).toThrow(VigilError);
  });
});
