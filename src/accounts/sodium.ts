/**
 * The one place that loads libsodium. The WebAssembly module must finish initialising (`sodium.ready`)
 * before any primitive is called, so every entry point of the accounts code awaits `loadSodium()` once;
 * after that, `sodiumSync()` hands out the ready instance to synchronous helpers (seal/open).
 */
import sodium from 'libsodium-wrappers-sumo';

export type Sodium = typeof sodium;

let loading: Promise<Sodium> | undefined;
let loaded: Sodium | undefined;

/** Loads libsodium once; later calls return the same promise. */
export function loadSodium(): Promise<Sodium> {
  loading ??= sodium.ready.then(() => {
    loaded = sodium;
    return sodium;
  });
  return loading;
}

/**
 * The ready instance. Throws when `loadSodium()` has not resolved yet: that is a programming error
 * (a KeyRing can only be built after loading, so code holding a KeyRing may call this safely).
 */
export function sodiumSync(): Sodium {
  if (!loaded) throw new Error('libsodium used before loadSodium() resolved');
  return loaded;
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/** base64url without padding: the envelope encoding (no `:` or `/`, so it splits and stores cleanly). */
export function toBase64Url(bytes: Uint8Array): string {
  return sodiumSync().to_base64(bytes, sodiumSync().base64_variants.URLSAFE_NO_PADDING);
}

/** Strict base64url decoding; returns undefined instead of throwing on bad input. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!B64URL_RE.test(text)) return undefined;
  try {
    return sodiumSync().from_base64(text, sodiumSync().base64_variants.URLSAFE_NO_PADDING);
  } catch {
    return undefined;
  }
}

/** Overwrites a buffer holding key material or plaintext; JS strings cannot be wiped, buffers can. */
export function wipe(...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) if (b) sodiumSync().memzero(b);
}
