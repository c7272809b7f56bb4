/**
 * The accounts registry: validated, sealed accounts in the accounts store (a folder, or the cluster's
 * accounts index), decrypted just in time for delivery. The REST API and the CLI call this; nothing
 * else writes account documents. Beside the
 * accounts, the same store keeps Signals' stored proxies and trust stores (`proxies`, `truststores`):
 * documents of kinds of their own, sealed where they hold credentials, never listed among accounts,
 * and rotated with them.
 *
 * Secret values are sealed as the JSON text of the value (so a secret may be a string or, like a
 * webhook `auth`, an object), each under its own AAD (sealed-docs.ts).
 */
import type { Logger } from 'pino';
import type { TypeRegistry } from '../registry/registry.ts';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import { buildAccountTypes, type AccountTypeSpec } from './account-types.ts';
import type { SecretStatus } from './account-doc.ts';
import { forgetKid, verifyKeyRing } from './keycheck.ts';
import type { KeyRing } from './keyring.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { runRotation, type RotateOptions, type RotateProgress, type RotateResult } from './rotate.ts';
import { KindDocs, SealedDocs, type DocSpec, type PutOptions, type ResolveOptions } from './sealed-docs.ts';
import { loadSodium } from './sodium.ts';
import type { AccountDocStore } from './doc-store.ts';
import { AccountFileStore, assertValidId, type Doc } from './store.ts';
import { TrackedStore, type UnusableAccount } from './unusable.ts';
import { countKeyUsage, MALFORMED, type KeyUsage } from './key-usage.ts';
import { searchAccounts, toPublic, type AccountSearchQuery, type AccountSearchResult, type PublicAccount } from './search.ts';
import { PROXIES_KIND, ProxyRegistry, proxySpec } from './proxies.ts';
import { TRUSTSTORES_KIND, TruststoreRegistry, truststoreSpec } from './truststores.ts';

export type { AccountSearchQuery, AccountSearchResult, KeyUsage, PublicAccount, PutOptions, ResolveOptions, RotateOptions, RotateProgress, RotateResult, SecretStatus, UnusableAccount };
export { MALFORMED };

export interface AccountRegistryOptions {
  /** The accounts directory (`accounts/`), created 0700 if missing: the store unless `store` is given. */
  dir?: string;
  /** Where the sealed documents are kept (the cluster's accounts index, say) instead of `dir`. */
  store?: AccountDocStore;
  keyring: KeyRing;
  /** The type registry; the action types with an `account` manifest define the account types. */
  types: TypeRegistry;
  logger: Logger;
  clock: Clock;
  /** Receives every decrypted secret string; default: a private one, exposed as `registry.redactor`. */
  redactor?: Redactor;
  /** Audit hook: a stored secret failed to decrypt (tampering or corruption); the account is unusable. */
  onDecryptFailure?: (type: string, id: string, field: string) => void;
}

export class AccountRegistry {
  readonly redactor: Redactor;
  /** Signals' stored proxies (`/_signals/proxies`). */
  readonly proxies: ProxyRegistry;
  /** Signals' stored trust stores (`/_signals/truststores`). */
  readonly truststores: TruststoreRegistry;
  readonly #o: AccountRegistryOptions;
  readonly #store: TrackedStore;
  readonly #specs: Map<string, AccountTypeSpec & DocSpec>;
  readonly #docs: SealedDocs;
  readonly #kinds: KindDocs[];
  #rotating = false;

  private constructor(o: AccountRegistryOptions, store: TrackedStore, specs: Map<string, AccountTypeSpec>) {
    this.#o = o;
    this.#store = store;
    this.#specs = new Map([...specs].map(([type, spec]) => [type, { ...spec, label: 'Account', signalsExport: true, tenants: true, commonFields: true, notFound }]));
    this.redactor = o.redactor ?? createRedactor();
    this.#docs = new SealedDocs({ store, keyring: o.keyring, clock: o.clock, logger: o.logger, redactor: this.redactor, onDecryptFailure: o.onDecryptFailure });
    // Another daemon's change of a shared store's proxy or trust store reaches requests here within this.
    const life = store.shared ? { maxAgeMs: SHARED_RESOLVE_MS, clock: o.clock } : undefined;
    const proxies = new KindDocs(PROXIES_KIND, proxySpec, this.#docs, store, life);
    const truststores = new KindDocs(TRUSTSTORES_KIND, truststoreSpec, this.#docs, store, life);
    this.#kinds = [proxies, truststores];
    this.proxies = new ProxyRegistry(proxies);
    this.truststores = new TruststoreRegistry(truststores);
  }

  /**
   * Opens the registry. The key check runs first: a master key that does not match the store's
   * key-check record throws CONFIG_INVALID before any account is read.
   */
  static async open(o: AccountRegistryOptions): Promise<AccountRegistry> {
    await loadSodium();
    if (!o.store && o.dir === undefined) throw new VigilError('INTERNAL', 'the accounts registry needs a folder or a document store');
    const store = new TrackedStore(o.store ?? new AccountFileStore(o.dir!), o.logger);
    await store.init();
    const specs = buildAccountTypes(o.types);
    const reg = new AccountRegistry(o, store, specs);
    // Malformed envelopes have no kid; they fail per account later, they do not block the start.
    const usedKids = async () => new Set((await reg.keyUsage()).filter((u) => u.kid !== MALFORMED).map((u) => u.kid));
    await verifyKeyRing(store.keyCheck, o.keyring, o.clock, usedKids);
    const removed = await store.cleanUp(await store.listTypes());
    if (removed) o.logger.info({ removed }, 'removed temp files left by an interrupted account write');
    // Reported now rather than at first use: a bad file is logged once, and the others stay usable.
    for (const { type, id } of await reg.#documents()) await store.readOrNote(type, id);
    return reg;
  }

  /** Account types, sorted. */
  types(): string[] {
    return [...this.#specs.keys()].sort();
  }

  /**
   * PUT: an omitted secret keeps its stored value, `null` clears it, a value replaces it. `expect`
   * refuses, under the account's lock, a create of an account that exists (`create`: CONFLICT) or an
   * update of one that does not (`update`: ACCOUNT_NOT_FOUND).
   */
  async put(type: string, id: string, body: unknown, opts: PutOptions = {}): Promise<{ created: boolean }> {
    return this.update(type, id, () => body, opts);
  }

  /**
   * A PUT whose body is built from the stored account, under the account's lock: `build` gets the
   * stored account's non-secret fields (common fields and tenants included; secrets left out, so they
   * are kept unless the body clears or replaces them), or undefined when there is none. For callers
   * that change some fields and must keep the others (the Notifications API, whose configs carry only
   * part of an account).
   */
  async update(type: string, id: string, build: (current: Doc | undefined) => unknown, opts: PutOptions = {}): Promise<{ created: boolean }> {
    return this.#docs.update(this.#spec(type, id, 'INVALID_REQUEST'), type, id, build, opts);
  }

  /** GET: non-secret fields and, per secret, `{set, kid, updated_at}`. Throws ACCOUNT_NOT_FOUND. */
  async getPublic(type: string, id: string): Promise<PublicAccount> {
    const spec = this.#spec(type, id, 'ACCOUNT_NOT_FOUND');
    return toPublic(type, id, await this.#docs.stored(spec, type, id), spec.patterns);
  }

  /** Whether a file exists for the account (usable or not). */
  async exists(type: string, id: string): Promise<boolean> {
    assertValidId('type', type);
    assertValidId('id', id);
    if (!this.#specs.has(type)) return false;
    return (await this.#store.readOrNote(type, id)) !== undefined || this.#store.unusable.has(type, id);
  }

  /** Which of `types` (registered account types) hold an account file named `id`, usable or not; sorted. */
  async holders(id: string, types: readonly string[]): Promise<string[]> {
    assertValidId('id', id);
    const out: string[] = [];
    for (const type of [...types].sort()) if (await this.exists(type, id)) out.push(type);
    return out;
  }

  /** Every account of every registered type, sorted by type then id. */
  async list(): Promise<Array<{ type: string; id: string }>> {
    const out: Array<{ type: string; id: string }> = [];
    for (const type of this.types()) for (const id of await this.#store.listIds(type)) out.push({ type, id });
    return out;
  }

  /** Usable accounts matching the query, a page of them, and apart from them the matching unusable ones. */
  async search(q: AccountSearchQuery = {}): Promise<AccountSearchResult> {
    return searchAccounts(q, await this.list(), this.#store, (type) => this.#specs.get(type)!.patterns);
  }

  async delete(type: string, id: string): Promise<{ deleted: boolean }> {
    this.#spec(type, id, 'ACCOUNT_NOT_FOUND');
    return this.#docs.delete(type, id);
  }

  /**
   * The decrypted, schema-checked, frozen account for one delivery: the type's fields only (not the
   * common ones, nor `tenants`). Do not cache it. A secret that fails to decrypt makes this account
   * unusable (ACCOUNT_DECRYPT_FAILED, audit hook); others are unaffected. With `o.tenant` (a watch's use
   * of the account), an account whose `tenants` do not name that tenant is refused (MISSING_PRIVILEGES)
   * before anything is decrypted. A disabled account (`enabled: false`) is refused with ACCOUNT_DISABLED,
   * before any secret is opened, unless `o.allowDisabled` (the load-time checks of a watch: a watch
   * naming a disabled account still loads, only its sends fail).
   */
  async resolve(type: string, id: string, o: ResolveOptions = {}): Promise<unknown> {
    return this.#docs.resolve(this.#spec(type, id, 'ACCOUNT_NOT_FOUND'), type, id, o);
  }

  /**
   * Rewraps every secret, of accounts and stored proxies alike, under the active key. Idempotent (fields
   * already on the active kid are left alone) and resumable: each document is rewritten atomically, so after
   * a crash a second call finishes the rest. Throws TOO_MANY_REQUESTS while a rotation is running.
   */
  async rotate(opts: RotateOptions = {}, onProgress?: (p: RotateProgress) => void | Promise<void>): Promise<RotateResult> {
    if (this.#rotating) throw new VigilError('TOO_MANY_REQUESTS', 'a key rotation is already running');
    this.#rotating = true;
    try {
      return await runRotation(await this.#documents(), opts, onProgress, (type, id) => this.#rewrap(type, id), this.#o.logger);
    } finally {
      this.#rotating = false;
    }
  }

  /** Sealed fields per kid, over every kind of document in the store; ring kids appear even with 0. */
  async keyUsage(): Promise<KeyUsage[]> {
    return countKeyUsage(this.#store, this.#o.keyring);
  }

  /**
   * Forgets a kid in the key-check record so its key can be removed from the ring. Refused (CONFLICT)
   * for the active kid and while any field still uses it (rotate first).
   */
  async retireKey(kid: string): Promise<{ retired: boolean }> {
    if (kid === this.#o.keyring.activeKid) throw new VigilError('CONFLICT', `kid ${kid} is the active key and cannot be retired`);
    const used = (await this.keyUsage()).find((u) => u.kid === kid)?.fields ?? 0;
    if (used > 0) throw new VigilError('CONFLICT', `kid ${kid} still seals ${used} fields; run key rotation first`);
    return { retired: await forgetKid(this.#store.keyCheck, kid) };
  }

  /** Accounts, then the documents of the other kinds (stored proxies, trust stores). */
  async #documents(): Promise<Array<{ type: string; id: string }>> {
    const out = await this.list();
    for (const k of this.#kinds) for (const id of await k.ids()) out.push({ type: k.kind, id });
    return out;
  }

  async #rewrap(type: string, id: string): Promise<void> {
    const kind = this.#kinds.find((k) => k.kind === type);
    if (kind) return kind.rewrap(id);
    return this.#docs.rewrap(this.#specs.get(type)!.patterns, type, id);
  }

  #spec(type: string, id: string, missing: 'INVALID_REQUEST' | 'ACCOUNT_NOT_FOUND'): AccountTypeSpec & DocSpec {
    assertValidId('type', type);
    assertValidId('id', id);
    const spec = this.#specs.get(type);
    if (spec) return spec;
    throw missing === 'ACCOUNT_NOT_FOUND' ? notFound(type, id) : new VigilError('INVALID_REQUEST', `unknown account type ${type}`);
  }
}

/** How long a resolved stored proxy or trust store is reused when other processes write the store too (the watch poll's period). */
const SHARED_RESOLVE_MS = 2000;

/** Same as `AccountRegistry.open`. */
export const openRegistry = (o: AccountRegistryOptions): Promise<AccountRegistry> => AccountRegistry.open(o);

function notFound(type: string, id: string): VigilError {
  return new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
}
