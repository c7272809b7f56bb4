/**
 * Sealing one secret field:
 *
 *   vigil:v1:<kid>:<base64url(nonce[24] | ciphertext | tag[16])>
 *
 * XChaCha20-Poly1305-IETF under the `accounts` subkey of the kid's master key, with a random nonce (192
 * bits, so random nonces are safe without counters). The associated data is the canonical JSON
 * `["vigil-accounts",1,type,internalId,field,kid]`: a ciphertext moved to another account, another field
 * or relabelled with another kid fails authentication. Plaintext is padded to a multiple of 32 bytes so
 * the envelope length does not give away the secret's exact length.
 */
import { randomFillSync } from 'node:crypto';
import { VigilError } from '../errors.ts';
import type { KeyRing, SubkeyPurpose } from './keyring.ts';
import { fromBase64Url, sodiumSync, toBase64Url, wipe } from './sodium.ts';

export const ENVELOPE_PREFIX = 'vigil:v1:';
const ENVELOPE_RE = /^vigil:v1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$/;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const PAD_BLOCK = 32;

/** What a sealed field is bound to. */
export interface SealContext {
  /** Account type, e.g. `email`. */
  type: string;
  /** The account's immutable internal id (UUID), not its display id. */
  internalId: string;
  /** Field path, e.g. `password` or `headers.X-Api-Key`. */
  field: string;
  /** Display id, used only to make error messages useful; not authenticated. */
  id?: string;
}

/** True when `value` looks like an envelope (any kid). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENVELOPE_PREFIX);
}

/** The kid of an envelope, or undefined when it is not a well-formed one. */
export function envelopeKid(sealed: string): string | undefined {
  return ENVELOPE_RE.exec(sealed)?.[1];
}

/** Seals `value` for the given account field, with the active key unless `kid` is given. */
export function seal(ring: KeyRing, value: string, ctx: SealContext & { kid?: string }): string {
  const kid = ctx.kid ?? ring.activeKid;
  return sealBytes(ring, kid, 'accounts', accountAad(ctx, kid), value);
}

/**
 * Opens an envelope sealed by `seal` for the same (type, internalId, field); the kid comes from the
 * envelope. Any failure — malformed envelope, unknown kid, failed authentication — throws
 * `ACCOUNT_DECRYPT_FAILED` naming the account and field, never the value.
 */
export function open(ring: KeyRing, sealed: string, ctx: SealContext): string {
  const kid = envelopeKid(sealed);
  const fail = (why: string) =>
    new VigilError(
      'ACCOUNT_DECRYPT_FAILED',
      `cannot decrypt field "${ctx.field}" of account ${ctx.type}/${ctx.id ?? ctx.internalId}: ${why}`,
    );
  if (!kid) throw fail('not a vigil:v1 envelope');
  if (!ring.has(kid)) throw fail(`key ${kid} is not in the key ring`);
  const text = openBytes(ring, kid, 'accounts', accountAad(ctx, kid), sealed);
  if (text === undefined) throw fail('authentication failed (wrong key, tampered or moved ciphertext)');
  return text;
}

/** Seals under any purpose's subkey; shared with the key-check canary. */
export function sealBytes(ring: KeyRing, kid: string, purpose: SubkeyPurpose, aad: string, value: string): string {
  const s = sodiumSync();
  const key = ring.subkey(kid, purpose);
  const plain = s.from_string(value);
  const padded = s.pad(plain, PAD_BLOCK);
  // Node's CSPRNG (OpenSSL, seeded by the OS) rather than libsodium.js's randombytes_buf: an order of
  // magnitude faster per call, and the same OS entropy underneath.
  const nonce = randomFillSync(new Uint8Array(NONCE_BYTES));
  try {
    const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, aad, null, nonce, key);
    const out = new Uint8Array(NONCE_BYTES + ct.length);
    out.set(nonce, 0);
    out.set(ct, NONCE_BYTES);
    return `${ENVELOPE_PREFIX}${kid}:${toBase64Url(out)}`;
  } finally {
    wipe(key, plain, padded);
  }
}

/** Opens an envelope under `kid`; undefined on any failure (callers choose the error). */
export function openBytes(ring: KeyRing, kid: string, purpose: SubkeyPurpose, aad: string, sealed: string): string | undefined {
  const m = ENVELOPE_RE.exec(sealed);
  if (!m || m[1] !== kid || !ring.has(kid)) return undefined;
  const raw = fromBase64Url(m[2]!);
  if (!raw || raw.length < NONCE_BYTES + TAG_BYTES + PAD_BLOCK) return undefined;
  const s = sodiumSync();
  const key = ring.subkey(kid, purpose);
  let padded: Uint8Array | undefined;
  let plain: Uint8Array | undefined;
  try {
    padded = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, raw.subarray(NONCE_BYTES), aad, raw.subarray(0, NONCE_BYTES), key);
    plain = s.unpad(padded, PAD_BLOCK);
    return s.to_string(plain);
  } catch {
    return undefined;
  } finally {
    // unpad copies, so both buffers hold plaintext. (Copies inside the WebAssembly heap are libsodium's
    // to manage; the JS string returned cannot be wiped — callers keep it only as long as needed.)
    wipe(key, padded, plain);
  }
}

/** The canonical associated data of an account field. */
export function accountAad(ctx: SealContext, kid: string): string {
  return JSON.stringify(['vigil-accounts', 1, ctx.type, ctx.internalId, ctx.field, kid]);
}
