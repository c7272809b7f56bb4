import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { computeKid, KeyRing } from '../../src/accounts/keyring.ts';
import { envelopeKid, isSealed, open, seal } from '../../src/accounts/seal.ts';
import { fromBase64Url, loadSodium, toBase64Url } from '../../src/accounts/sodium.ts';

async function ring(...keys: Uint8Array[]) {
  return KeyRing.create(keys.map((key, i) => ({ key, state: i === 0 ? 'active' : 'decrypt-only' })));
}
const key = (b: number) => new Uint8Array(32).fill(b);
const ctx = { type: 'email', internalId: '6f1c0d7e-0000-4000-8000-000000000001', field: 'password', id: 'ops' };

function flipBit(sealed: string, at: (len: number) => number): string {
  const [, , kid, body] = sealed.split(':');
  const raw = fromBase64Url(body!)!;
  raw[at(raw.length)]! ^= 0x01;
  return `vigil:v1:${kid}:${toBase64Url(raw)}`;
}

function expectDecryptFailure(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    expect((e as VigilError).code).toBe('ACCOUNT_DECRYPT_FAILED');
    return e as VigilError;
  }
  throw new Error('expected ACCOUNT_DECRYPT_FAILED');
}

describe('seal/open', () => {
  it('round-trips unicode and empty values, with the sealed-envelope format', async () => {
    const r = await ring(key(1));
    for (const v of ['hunter2', '', 'päss wörd ✓ '.repeat(20)]) {
      const s = seal(r, v, ctx);
      expect(s).toMatch(/^vigil:v1:[0-9a-f]{16}:[A-Za-z0-9_-]+$/);
      expect(isSealed(s)).toBe(true);
      expect(envelopeKid(s)).toBe(r.activeKid);
      expect(s).not.toContain(v || '\u0000');
      expect(open(r, s, ctx)).toBe(v);
    }
  });

  it('uses a fresh nonce each time and pads lengths to 32-byte blocks', async () => {
    const r = await ring(key(1));
    const a = seal(r, 'x', ctx);
    const b = seal(r, 'x', ctx);
    expect(a).not.toBe(b);
    expect(seal(r, 'abc', ctx).length).toBe(seal(r, 'abcdefghijklmnopqrstuvwxyz', ctx).length);
  });

  it('kid is the keyed BLAKE2b of "vigil-kid", 16 hex chars, stable and distinct per key', async () => {
    const s = await loadSodium();
    const k = key(7);
    const expected = s.to_hex(s.crypto_generichash(32, s.from_string('vigil-kid'), k).subarray(0, 8));
    expect(computeKid(k)).toBe(expected);
    expect(computeKid(k)).toMatch(/^[0-9a-f]{16}$/);
    expect(computeKid(key(8))).not.toBe(computeKid(k));
  });

  it.each([
    ['nonce', (_n: number) => 0],
    ['ciphertext', (_n: number) => 30],
    ['tag', (n: number) => n - 1],
  ])('fails closed when one bit of the %s flips', async (_what, at) => {
    const r = await ring(key(1));
    const s = seal(r, 'hunter2', ctx);
    const e = expectDecryptFailure(() => open(r, flipBit(s, at), ctx));
    expect(e.message).toContain('email/ops');
    expect(e.message).toContain('password');
    expect(e.message).not.toContain('hunter2');
  });

  it('fails closed when the envelope is bound to another account, field or kid', async () => {
    const r = await ring(key(1), key(2));
    const s = seal(r, 'hunter2', ctx);
    expectDecryptFailure(() => open(r, s, { ...ctx, internalId: 'other' }));
    expectDecryptFailure(() => open(r, s, { ...ctx, field: 'proxy_password' }));
    expectDecryptFailure(() => open(r, s, { ...ctx, type: 'webhook' }));
    const otherKid = r.list().find((k) => k.kid !== r.activeKid)!.kid;
    expectDecryptFailure(() => open(r, s.replace(r.activeKid, otherKid), ctx));
    expectDecryptFailure(() => open(r, s.replace(r.activeKid, '0123456789abcdef'), ctx));
    expectDecryptFailure(() => open(r, 'hunter2', ctx));
    expectDecryptFailure(() => open(r, s.slice(0, 40), ctx));
  });

  it('decrypt-only keys still open what they sealed; a ring without the key does not', async () => {
    const old = await ring(key(1));
    const s = seal(old, 'hunter2', ctx);
    const rotated = await ring(key(2), key(1));
    expect(rotated.activeKid).not.toBe(old.activeKid);
    expect(open(rotated, s, ctx)).toBe('hunter2');
    const wrong = await ring(key(3));
    expectDecryptFailure(() => open(wrong, s, ctx));
  });
});
