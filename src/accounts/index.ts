/**
 * The accounts module's public surface: the registry (REST API, delivery), key loading (main/CLI),
 * the redactor (logging), and the token pepper (users/tokens).
 */
export { AccountRegistry, openRegistry, MALFORMED } from './registry.ts';
export type { AccountRegistryOptions, PutOptions, ResolveOptions, AccountSearchQuery, KeyUsage, PublicAccount, RotateOptions, RotateProgress, RotateResult, SecretStatus, UnusableAccount } from './registry.ts';
export { KeyRing, computeKid, generateKey, tokenPepper, SubkeyPurpose } from './keyring.ts';
export type { KeyInfo, KeyState } from './keyring.ts';
export { loadKeyRing, keyRingFromEnv, keyRingFromFile, MASTER_KEY_ENV } from './keysource.ts';
export type { LoadKeyRingOptions } from './keysource.ts';
export { createRedactor } from './redact.ts';
export type { Redactor, RedactorOptions } from './redact.ts';
export { seal, open, isSealed, envelopeKid, ENVELOPE_PREFIX } from './seal.ts';
export type { SealContext } from './seal.ts';
export { keygen, rotateKeys } from './cli.ts';
export type { RotateKeysOptions } from './cli.ts';
export { isValidId, assertValidId } from './store.ts';
export { ClusterAccountStore } from './cluster-store.ts';
export type { AccountDocStore, StoreRecord } from './doc-store.ts';
