/**
 * Master keys as a key ring: `{ kid → key, state }` with exactly one active key, which
 * seals new secrets; decrypt-only keys still open older ones until rotation has rewrapped them.
 *
 * Raw master keys never leave this module: callers get purpose-bound subkeys derived with
 * `crypto_kdf_derive_from_key`, so a leaked subkey cannot be replayed for another purpose.
 */
import { VigilError } from '../errors.ts';
import { loadSodium, sodiumSync, wipe } from './sodium.ts';

export type KeyState = 'active' | 'decrypt-only';

/** Public facts about one key: safe to log, print and return from an API. */
export interface KeyInfo {
  /** 16 hex characters identifying the key without revealing it. */
  readonly kid: string;
  readonly state: KeyState;
}

/** `crypto_kdf` subkey ids, one per purpose, all under the 8-byte context "ACCOUNTS". */
export const SubkeyPurpose = { accounts: 1, canary: 2, tokenPepper: 3 } as const;
export type SubkeyPurpose = keyof typeof SubkeyPurpose;

export const MASTER_KEY_BYTES = 32;
const KDF_CONTEXT = 'ACCOUNTS';
const KID_DOMAIN = 'vigil-kid';

/**
 * The key id: the first 8 bytes, in hex, of BLAKE2b-256 keyed with the master key over "vigil-kid".
 * libsodium.js's signature is `crypto_generichash(hash_length, message, key)`; the design's
 * "generichash(32, key, 'vigil-kid')" means a hash keyed by the master key, so the master key goes in
 * the `key` slot (32 bytes, within KEYBYTES_MIN..MAX) and the constant is the message. Being a keyed
 * hash (a MAC of a constant), the kid reveals nothing about the key.
 */
export function computeKid(key: Uint8Array): string {
  const s = sodiumSync();
  const digest = s.crypto_generichash(32, s.from_string(KID_DOMAIN), key);
  const kid = s.to_hex(digest.subarray(0, 8));
  wipe(digest);
  return kid;
}

/** A fresh random master key, base64 (standard alphabet, padded): what `vigil keygen` prints. */
export async function generateKey(): Promise<string> {
  const s = await loadSodium();
  const key = s.crypto_aead_xchacha20poly1305_ietf_keygen();
  const text = s.to_base64(key, s.base64_variants.ORIGINAL);
  wipe(key);
  return text;
}

interface Entry {
  key: Uint8Array;
  state: KeyState;
}

/** Loaded master keys. Build with `KeyRing.create` (or the loaders in `keysource.ts`). */
export class KeyRing {
  readonly #keys: Map<string, Entry>;
  /** The kid that seals new secrets. */
  readonly activeKid: string;

  private constructor(keys: Map<string, Entry>, activeKid: string) {
    this.#keys = keys;
    this.activeKid = activeKid;
  }

  /**
   * Builds a ring from raw keys (copied; the caller may wipe its buffers). Exactly one key must be
   * active; every key must be 32 bytes; the same key twice is refused. Errors never contain key bytes.
   */
  static async create(entries: ReadonlyArray<{ key: Uint8Array; state: KeyState }>): Promise<KeyRing> {
    await loadSodium();
    const keys = new Map<string, Entry>();
    let active: string | undefined;
    for (const [i, e] of entries.entries()) {
      if (!(e.key instanceof Uint8Array) || e.key.length !== MASTER_KEY_BYTES) {
        throw new VigilError('CONFIG_INVALID', `master key #${i + 1} is not ${MASTER_KEY_BYTES} bytes`);
      }
      if (e.state !== 'active' && e.state !== 'decrypt-only') {
        throw new VigilError('CONFIG_INVALID', `master key #${i + 1} has an unknown state (use active or decrypt-only)`);
      }
      const kid = computeKid(e.key);
      if (keys.has(kid)) throw new VigilError('CONFIG_INVALID', `master key #${i + 1} duplicates kid ${kid}`);
      if (e.state === 'active') {
        if (active) throw new VigilError('CONFIG_INVALID', 'more than one master key is active; exactly one must be');
        active = kid;
      }
      keys.set(kid, { key: Uint8Array.from(e.key), state: e.state });
    }
    if (!active) throw new VigilError('CONFIG_INVALID', 'no active master key; exactly one must be active');
    return new KeyRing(keys, active);
  }

  /** Every key, active first. */
  list(): KeyInfo[] {
    const out: KeyInfo[] = [];
    for (const [kid, e] of this.#keys) out.push({ kid, state: e.state });
    return out.sort((a, b) => (a.state === b.state ? a.kid.localeCompare(b.kid) : a.state === 'active' ? -1 : 1));
  }

  has(kid: string): boolean {
    return this.#keys.has(kid);
  }

  state(kid: string): KeyState | undefined {
    return this.#keys.get(kid)?.state;
  }

  /**
   * A 32-byte subkey of `kid`'s master key for one purpose. The caller owns the buffer and should wipe it
   * after use. Throws (no key material in the message) when the kid is not in the ring.
   */
  subkey(kid: string, purpose: SubkeyPurpose): Uint8Array {
    const entry = this.#keys.get(kid);
    if (!entry) throw new VigilError('CONFIG_INVALID', `kid ${kid} is not in the key ring`);
    return sodiumSync().crypto_kdf_derive_from_key(32, SubkeyPurpose[purpose], KDF_CONTEXT, entry.key);
  }

  /** Wipes every master key; the ring is unusable afterwards. */
  destroy(): void {
    for (const e of this.#keys.values()) wipe(e.key);
    this.#keys.clear();
  }

  /** Logging a ring shows kids only. */
  toJSON(): { active: string; keys: KeyInfo[] } {
    return { active: this.activeKid, keys: this.list() };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing ${JSON.stringify(this.toJSON())}`;
  }
}

/**
 * The pepper for API-token hashes (`crypto_generichash(32, token, pepper)`), subkey 3 of the active key
 * (or of `kid`). Store the kid next to each token hash: after a rotation retires that key, hashes made
 * under it can no longer be checked.
 */
export function tokenPepper(ring: KeyRing, kid: string = ring.activeKid): Uint8Array {
  return ring.subkey(kid, 'tokenPepper');
}
