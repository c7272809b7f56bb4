/**
 * `vigil rotate-keys` end to end: the real command, on a real accounts folder sealed with the old key,
 * rewraps every secret to the new active key through the registry's rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../../src/accounts/keyring.ts';
import { keyRingFromEnv, keyRingFromFile } from '../../src/accounts/keysource.ts';
import { AccountRegistry } from '../../src/accounts/registry.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { vigil } from './spawn-vigil.ts';

const SECRETS = ['pw-Rotat3-secret-1', 'https://hooks.slack.com/services/T000/B000/rotate-secret-2'];

let base: string;
let oldKey: string;
let newKey: string;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'vigil-rotate-'));
  [oldKey, newKey] = await Promise.all([generateKey(), generateKey()]);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function seed(dir: string): Promise<void> {
  const reg = await AccountRegistry.open({ dir, keyring: await keyRingFromEnv(oldKey), types: builtinRegistry(), logger: silentLogger(), clock: systemClock });
  await reg.put('email', 'ops', { host: 'smtp.example.com', port: 587, user: 'vigil', password: SECRETS[0] });
  await reg.put('slack', 'chat', { url: SECRETS[1] });
  await reg.put('slack', 'oncall', { url: 'https://hooks.slack.com/services/T000/B000/third' });
}

function keyFile(name: string): string {
  const file = join(base, name);
  writeFileSync(file, JSON.stringify({ keys: [{ key: newKey, state: 'active' }, { key: oldKey, state: 'decrypt-only' }] }), { mode: 0o600 });
  return file;
}

describe('vigil rotate-keys', () => {
  it('rewraps every account secret to the active key, printing progress and the result, never a secret', async () => {
    const dir = join(base, 'accounts');
    await seed(dir);
    const file = keyFile('ring.json');
    const ring = await keyRingFromFile(file);
    const oldKid = (await keyRingFromEnv(oldKey)).activeKid;

    const res = await vigil(['rotate-keys', '--accounts', dir, '--key-file', file, '--batch-size', '2'], { env: { VIGIL_MASTER_KEY: undefined } });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ total: 3, successful: 3, failed: 0 });
    expect(res.stderr).toBe('vigil rotate-keys: 2 of 3 accounts (0 failed)\nvigil rotate-keys: 3 of 3 accounts (0 failed)\n');
    for (const s of SECRETS) expect(res.stdout + res.stderr).not.toContain(s);

    const sealed = ['email/ops.json', 'slack/chat.json', 'slack/oncall.json'].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(sealed).toContain(`vigil:v1:${ring.activeKid}:`);
    expect(sealed).not.toContain(`vigil:v1:${oldKid}:`);
    const reg = await AccountRegistry.open({ dir, keyring: ring, types: builtinRegistry(), logger: silentLogger(), clock: systemClock });
    expect((await reg.keyUsage()).find((u) => u.kid === oldKid)?.fields ?? 0).toBe(0);
    expect(await reg.resolve('email', 'ops')).toMatchObject({ password: SECRETS[0] });
    expect(await reg.resolve('slack', 'chat')).toMatchObject({ url: SECRETS[1] });
  });

  it('an account that cannot be rewrapped is counted, the others are rotated, and the exit status is 1', async () => {
    const dir = join(base, 'accounts-damaged');
    await seed(dir);
    // A sealed value moved to another field no longer decrypts (it is bound to its field).
    const path = join(dir, 'email', 'ops.json');
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.proxy_password = doc.password;
    delete doc.password;
    writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });

    const res = await vigil(['rotate-keys', '--accounts', dir, '--key-file', keyFile('ring2.json')], { env: { VIGIL_MASTER_KEY: undefined } });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual({ total: 3, successful: 2, failed: 1 });
  });
});
