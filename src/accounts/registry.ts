/**
 * The accounts registry: validated, sealed accounts on disk, decrypted just in time for
 * delivery. The REST API and the CLI call this; nothing else writes account files.
 *
 * Secret values are sealed as the JSON text of the value (so a secret may be a string or, like a
 * webhook `auth`, an object), each under its own AAD. Mutations of one account are serialised, so a PUT
 * racing a rotation cannot lose either write.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TypeRegistry } from '../registry/registry.ts';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';
import { buildAccountTypes, type AccountTypeSpec } from './account-types.ts';
import { deepFreeze, stringsIn, takeSignalsFields, withoutMeta, type SecretStatus } from './account-doc.ts';
import { KeyedLock } from './keyed-lock.ts';
import { forgetKid, verifyKeyRing } from './keycheck.ts';
import type { KeyRing } from './keyring.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { runRotation, type RotateOptions, type RotateProgress, type RotateResult } from './rotate.ts';
import { envelopeKid, open, seal } from './seal.ts';
import {
  bodyIntent, fieldName, secretLeaves, setPath, stripSecretNulls, type SecretLeaf,
} from './secret-paths.ts';
import { loadSodium } from './sodium.ts';
import type { AccountDocStore, DocVersion } from './doc-store.ts';
import { AccountFileStore, assertValidId, findReservedKey, isObject, nullProto, toNullProto, type Doc } from './store.ts';
import { TrackedStore, type UnusableAccount } from './unusable.ts';
import { countKeyUsage, MALFORMED, type KeyUsage } from './key-usage.ts';
import { searchAccounts, toPublic, type AccountSearchQuery, type AccountSearchResult, type PublicAccount } from './search.ts';

export type { AccountSearchQuery, AccountSearchResult, KeyUsage, PublicAccount, RotateOptions, RotateProgress, RotateResult, SecretStatus, UnusableAccount };
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
  readonly #o: AccountRegistryOptions;
  readonly #store: TrackedStore;
  readonly #specs: Map<string, AccountTypeSpec>;
  readonly #locks = new KeyedLock();
  #rotating = false;

  private constructor(o: AccountRegistryOptions, store: TrackedStore, specs: Map<string, AccountTypeSpec>) {
    this.#o = o;
    this.#store = store;
    this.#specs = specs;
    this.redactor = o.redactor ?? createRedactor();
  }

  /**
   * Opens the registry. The key check runs first: a master key that does not match the directory's
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
    for (const { type, id } of await reg.list()) await store.readOrNote(type, id);
    return reg;
  }

  /** Account types, sorted. */
  types(): string[] {
    return [...this.#specs.keys()].sort();
  }

  /** PUT: an omitted secret keeps its stored value, `null` clears it, a value replaces it. */
  async put(type: string, id: string, body: unknown): Promise<{ created: boolean }> {
    const spec = this.#spec(type, id, 'INVALID_REQUEST');
    if (!isObject(body)) throw new VigilError('INVALID_REQUEST', 'an account must be a JSON object');
    const reserved = findReservedKey(body);
    if (reserved) throw new VigilError('INVALID_REQUEST', 'Account is invalid: 1 errors; see detail.', { [reserved]: [{ error: 'reserved key name' }] });
    return this.#locks.run(`${type}/${id}`, () => retryConflicts(async () => {
      // A bad file is replaced: its secrets could not be kept anyway.
      const read = await this.#store.readVersionedOrNote(type, id);
      const stored = read?.doc;
      const replacesUnusable = stored === undefined && this.#store.unusable.has(type, id);
      const internalId = stored ? internalIdOf(stored, type, id) : randomUUID();
      const now = new Date(this.#o.clock.now()).toISOString();
      const candidate = toNullProto(body);
      const exportProblems = takeSignalsFields(candidate, type);
      stripSecretNulls(candidate, spec.patterns);
      const kept = new Map<string, string>();
      for (const leaf of stored ? secretLeaves(stored, spec.patterns) : []) {
        if (typeof leaf.value !== 'string' || bodyIntent(body, leaf.path) !== 'absent') continue;
        if (setPath(candidate, leaf.path, this.#openLeaf(type, id, internalId, leaf))) kept.set(fieldName(leaf.path), leaf.value);
      }
      const secrets = secretLeaves(candidate, spec.patterns);
      const parsed = spec.schema.safeParse(candidate);
      if (!parsed.success || Object.keys(exportProblems).length > 0) {
        const scrub = createRedactor({ minLength: 1 });
        for (const s of secrets) for (const str of stringsIn(s.value)) scrub.add(str);
        const detail = { ...exportProblems, ...(parsed.success ? {} : zodDetail(parsed.error.issues, { scrub: (m) => scrub.scrub(m) })) };
        throw new VigilError('INVALID_REQUEST', `Account is invalid: ${Object.keys(detail).length} errors; see detail.`, detail);
      }
      const prevUpdated = stored && isObject(stored._secret_updated_at) ? stored._secret_updated_at : nullProto();
      const secretUpdated = nullProto();
      for (const leaf of secrets) {
        const field = fieldName(leaf.path);
        const keep = kept.get(field);
        secretUpdated[field] = keep ? (prevUpdated[field] ?? stored?._updated_at ?? now) : now;
        setPath(candidate, leaf.path, keep ?? seal(this.#o.keyring, JSON.stringify(leaf.value), { type, internalId, field }));
      }
      const doc = nullProto();
      doc._internal_id = internalId;
      doc._updated_at = now;
      doc._secret_updated_at = secretUpdated;
      for (const [k, v] of Object.entries(withoutMeta(candidate))) doc[k] = v;
      // Conditional: another process writing the same account (a second daemon, the CLI) is not overwritten unseen.
      await this.#store.write(type, id, doc, read ? read.version : replacesUnusable ? undefined : null);
      if (replacesUnusable) this.#o.logger.warn({ file: `${type}/${id}.json` }, 'an unusable account file was replaced by a PUT');
      return { created: !stored && !replacesUnusable };
    }));
  }

  /** GET: non-secret fields and, per secret, `{set, kid, updated_at}`. Throws ACCOUNT_NOT_FOUND. */
  async getPublic(type: string, id: string): Promise<PublicAccount> {
    const spec = this.#spec(type, id, 'ACCOUNT_NOT_FOUND');
    const stored = await this.#store.read(type, id);
    if (!stored) throw notFound(type, id);
    return toPublic(type, id, stored, spec.patterns);
  }

  /** Whether a file exists for the account (usable or not). */
  async exists(type: string, id: string): Promise<boolean> {
    assertValidId('type', type);
    assertValidId('id', id);
    if (!this.#specs.has(type)) return false;
    return (await this.#store.readOrNote(type, id)) !== undefined || this.#store.unusable.has(type, id);
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
    return this.#locks.run(`${type}/${id}`, async () => ({ deleted: await this.#store.remove(type, id) }));
  }

  /**
   * The decrypted, schema-checked, frozen account for one delivery. Do not cache it. A secret that fails
   * to decrypt makes this account unusable (ACCOUNT_DECRYPT_FAILED, audit hook); others are unaffected.
   */
  async resolve(type: string, id: string): Promise<unknown> {
    const spec = this.#spec(type, id, 'ACCOUNT_NOT_FOUND');
    const stored = await this.#store.read(type, id);
    if (!stored) throw notFound(type, id);
    const internalId = internalIdOf(stored, type, id);
    const account = withoutMeta(stored);
    // Accounts stored before these fields were dropped at PUT may still carry them.
    takeSignalsFields(account, type);
    const plain: unknown[] = [];
    for (const leaf of secretLeaves(account, spec.patterns)) {
      const value = this.#openLeaf(type, id, internalId, leaf);
      plain.push(value);
      setPath(account, leaf.path, value);
    }
    const parsed = spec.schema.safeParse(account);
    if (!parsed.success) {
      const scrub = createRedactor({ minLength: 1 });
      for (const str of stringsIn(plain)) scrub.add(str);
      const detail = zodDetail(parsed.error.issues, { scrub: (m) => scrub.scrub(m) });
      throw new VigilError('CONFIG_INVALID', `stored account ${type}/${id} no longer matches its schema`, detail);
    }
    for (const s of stringsIn(plain)) this.redactor.add(s);
    return deepFreeze(parsed.data);
  }

  /**
   * Rewraps every secret under the active key. Idempotent (fields already on the active kid are left
   * alone) and resumable: each account file is rewritten atomically, so after a crash a second call
   * finishes the rest. Throws TOO_MANY_REQUESTS while a rotation is running.
   */
  async rotate(opts: RotateOptions = {}, onProgress?: (p: RotateProgress) => void | Promise<void>): Promise<RotateResult> {
    if (this.#rotating) throw new VigilError('TOO_MANY_REQUESTS', 'a key rotation is already running');
    this.#rotating = true;
    try {
      return await runRotation(await this.list(), opts, onProgress, (type, id) => this.#locks.run(`${type}/${id}`, () => this.#rewrap(type, id)), this.#o.logger);
    } finally {
      this.#rotating = false;
    }
  }

  /** Sealed fields per kid, over every account directory on disk; ring kids appear even with 0. */
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

  #rewrap(type: string, id: string): Promise<void> {
    return retryConflicts(async () => {
      const read = await this.#store.readVersioned(type, id);
      if (read) await this.#rewrapDoc(type, id, read.doc, read.version);
    });
  }

  async #rewrapDoc(type: string, id: string, stored: Doc, version: DocVersion): Promise<void> {
    const internalId = internalIdOf(stored, type, id);
    const active = this.#o.keyring.activeKid;
    let changed = false;
    for (const leaf of secretLeaves(stored, this.#specs.get(type)!.patterns)) {
      if (typeof leaf.value !== 'string' || envelopeKid(leaf.value) === active) continue;
      const field = fieldName(leaf.path);
      const text = this.#openText(type, id, internalId, field, leaf.value);
      setPath(stored, leaf.path, seal(this.#o.keyring, text, { type, internalId, field }));
      changed = true;
    }
    if (changed) await this.#store.write(type, id, stored, version);
  }

  #openLeaf(type: string, id: string, internalId: string, leaf: SecretLeaf): unknown {
    const field = fieldName(leaf.path);
    if (typeof leaf.value !== 'string') return this.#decryptFailed(type, id, field, 'the stored value is not sealed');
    const text = this.#openText(type, id, internalId, field, leaf.value);
    try {
      return JSON.parse(text);
    } catch {
      return this.#decryptFailed(type, id, field, 'the decrypted value is not JSON');
    }
  }

  #openText(type: string, id: string, internalId: string, field: string, sealed: string): string {
    try {
      return open(this.#o.keyring, sealed, { type, internalId, field, id });
    } catch (e) {
      return this.#decryptFailed(type, id, field, undefined, e);
    }
  }

  #decryptFailed(type: string, id: string, field: string, why?: string, cause?: unknown): never {
    try {
      this.#o.onDecryptFailure?.(type, id, field);
    } catch (hookError) {
      this.#o.logger.error({ err: hookError }, 'onDecryptFailure hook failed');
    }
    this.#o.logger.warn({ accountType: type, account: id, field }, 'account secret failed to decrypt; the account is unusable until the secret is set again');
    if (cause instanceof VigilError) throw cause;
    throw new VigilError('ACCOUNT_DECRYPT_FAILED', `cannot decrypt field "${field}" of account ${type}/${id}: ${why}`);
  }

  #spec(type: string, id: string, missing: 'INVALID_REQUEST' | 'ACCOUNT_NOT_FOUND'): AccountTypeSpec {
    assertValidId('type', type);
    assertValidId('id', id);
    const spec = this.#specs.get(type);
    if (spec) return spec;
    throw missing === 'ACCOUNT_NOT_FOUND' ? notFound(type, id) : new VigilError('INVALID_REQUEST', `unknown account type ${type}`);
  }

}

/** Same as `AccountRegistry.open`. */
export const openRegistry = (o: AccountRegistryOptions): Promise<AccountRegistry> => AccountRegistry.open(o);

/** Tries of a read-then-write that another process's write to the same account interrupted. */
const CONFLICT_TRIES = 3;

async function retryConflicts<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof VigilError && e.code === 'CONFLICT') || attempt >= CONFLICT_TRIES) throw e;
    }
  }
}

function internalIdOf(stored: Doc, type: string, id: string): string {
  const v = stored._internal_id;
  if (typeof v === 'string' && v.length > 0) return v;
  throw new VigilError('ACCOUNT_DECRYPT_FAILED', `account ${type}/${id} has no _internal_id`);
}

function notFound(type: string, id: string): VigilError {
  return new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
}
