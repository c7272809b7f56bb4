/**
 * The accounts registry (SPEC §3): validated, sealed accounts on disk, decrypted just in time for
 * delivery. The REST API and the CLI call this; nothing else writes account files.
 *
 * Secret values are sealed as the JSON text of the value (so a secret may be a string or, like a
 * webhook `auth`, an object), each under its own AAD. Mutations of one account are serialised, so a PUT
 * racing a rotation cannot lose either write.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActionType } from '../actions/types.ts';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import { buildAccountTypes, type AccountTypeSpec } from './account-types.ts';
import { deepFreeze, envelopesIn, issuesDetail, publicView, stringsIn, withoutMeta, type SecretStatus } from './account-doc.ts';
import { KeyedLock } from './keyed-lock.ts';
import { forgetKid, verifyKeyRing } from './keycheck.ts';
import type { KeyRing, KeyState } from './keyring.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { runRotation, type RotateOptions, type RotateProgress, type RotateResult } from './rotate.ts';
import { envelopeKid, open, seal } from './seal.ts';
import {
  bodyIntent, fieldName, secretLeaves, setPath, stripSecretNulls, type SecretLeaf, type SecretPattern,
} from './secret-paths.ts';
import { loadSodium } from './sodium.ts';
import { AccountFileStore, assertValidId, findReservedKey, isObject, nullProto, toNullProto, type Doc } from './store.ts';

export type { RotateOptions, RotateProgress, RotateResult, SecretStatus };

export interface AccountRegistryOptions {
  /** The accounts directory (`accounts/`); created 0700 if missing. */
  dir: string;
  keyring: KeyRing;
  /** Action types; those with an `account` manifest define the account types. */
  types: readonly ActionType[];
  logger: Logger;
  clock: Clock;
  /** Receives every decrypted secret string; default: a private one, exposed as `registry.redactor`. */
  redactor?: Redactor;
  /** Audit hook: a stored secret failed to decrypt (tampering or corruption); the account is unusable. */
  onDecryptFailure?: (type: string, id: string, field: string) => void;
}

/** An account as GET shows it: secrets appear only as `SecretStatus`. */
export interface PublicAccount {
  type: string;
  id: string;
  updated_at: string | null;
  account: Record<string, unknown>;
}

export interface AccountSearchQuery {
  type?: string;
  idPrefix?: string;
  /** Default 0. */
  from?: number;
  /** Default 10, at most 1000. */
  size?: number;
}

export interface KeyUsage {
  kid: string;
  /** `unknown`: used by stored envelopes but not in the ring (such fields cannot be opened). */
  state: KeyState | 'unknown';
  /** Number of sealed fields under this kid. */
  fields: number;
}

/** The `keyUsage` bucket of envelopes whose kid cannot be read. */
export const MALFORMED = 'malformed';

export class AccountRegistry {
  readonly redactor: Redactor;
  readonly #o: AccountRegistryOptions;
  readonly #store: AccountFileStore;
  readonly #specs: Map<string, AccountTypeSpec>;
  readonly #locks = new KeyedLock();
  #rotating = false;

  private constructor(o: AccountRegistryOptions, store: AccountFileStore, specs: Map<string, AccountTypeSpec>) {
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
    const store = new AccountFileStore(o.dir);
    await store.init();
    const specs = buildAccountTypes(o.types);
    const reg = new AccountRegistry(o, store, specs);
    // Malformed envelopes have no kid; they fail per account later, they do not block the start.
    const usedKids = async () => new Set((await reg.keyUsage()).filter((u) => u.kid !== MALFORMED).map((u) => u.kid));
    await verifyKeyRing(o.dir, o.keyring, o.clock, usedKids);
    const removed = await store.removeStaleTempFiles(await store.listTypes());
    if (removed) o.logger.info({ removed }, 'removed temp files left by an interrupted account write');
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
    return this.#locks.run(`${type}/${id}`, async () => {
      const stored = await this.#store.read(type, id);
      const internalId = stored ? internalIdOf(stored, type, id) : randomUUID();
      const now = new Date(this.#o.clock.now()).toISOString();
      const candidate = toNullProto(body);
      stripSecretNulls(candidate, spec.patterns);
      const kept = new Map<string, string>();
      for (const leaf of stored ? secretLeaves(stored, spec.patterns) : []) {
        if (typeof leaf.value !== 'string' || bodyIntent(body, leaf.path) !== 'absent') continue;
        if (setPath(candidate, leaf.path, this.#openLeaf(type, id, internalId, leaf))) kept.set(fieldName(leaf.path), leaf.value);
      }
      const secrets = secretLeaves(candidate, spec.patterns);
      const parsed = spec.schema.safeParse(candidate);
      if (!parsed.success) {
        const scrub = createRedactor({ minLength: 1 });
        for (const s of secrets) for (const str of stringsIn(s.value)) scrub.add(str);
        const detail = issuesDetail(parsed.error.issues, scrub);
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
      await this.#store.write(type, id, doc);
      return { created: !stored };
    });
  }

  /** GET: non-secret fields and, per secret, `{set, kid, updated_at}`. Throws ACCOUNT_NOT_FOUND. */
  async getPublic(type: string, id: string): Promise<PublicAccount> {
    const spec = this.#spec(type, id, 'ACCOUNT_NOT_FOUND');
    const stored = await this.#store.read(type, id);
    if (!stored) throw notFound(type, id);
    return toPublic(type, id, stored, spec.patterns);
  }

  async exists(type: string, id: string): Promise<boolean> {
    assertValidId('type', type);
    assertValidId('id', id);
    return this.#specs.has(type) && (await this.#store.read(type, id)) !== undefined;
  }

  /** Every account of every registered type, sorted by type then id. */
  async list(): Promise<Array<{ type: string; id: string }>> {
    const out: Array<{ type: string; id: string }> = [];
    for (const type of this.types()) for (const id of await this.#store.listIds(type)) out.push({ type, id });
    return out;
  }

  async search(q: AccountSearchQuery = {}): Promise<{ total: number; hits: PublicAccount[] }> {
    const from = q.from ?? 0;
    const size = q.size ?? 10;
    if (!Number.isSafeInteger(from) || from < 0 || !Number.isSafeInteger(size) || size < 0 || size > 1000) {
      throw new VigilError('INVALID_REQUEST', 'from must be ≥ 0 and size between 0 and 1000');
    }
    if (q.type !== undefined) assertValidId('type', q.type);
    if (q.idPrefix !== undefined && q.idPrefix !== '') assertValidId('id', q.idPrefix);
    const all = (await this.list()).filter((a) => (q.type === undefined || a.type === q.type) && a.id.startsWith(q.idPrefix ?? ''));
    const hits: PublicAccount[] = [];
    for (const a of all.slice(from, from + size)) {
      const stored = await this.#store.read(a.type, a.id);
      if (stored) hits.push(toPublic(a.type, a.id, stored, this.#specs.get(a.type)!.patterns));
    }
    return { total: all.length, hits };
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
      const detail = issuesDetail(parsed.error.issues, scrub);
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
    const counts = new Map<string, number>(this.#o.keyring.list().map((k) => [k.kid, 0]));
    for (const type of await this.#store.listTypes()) {
      for (const id of await this.#store.listIds(type)) {
        for (const env of envelopesIn(withoutMeta((await this.#store.read(type, id)) ?? nullProto()))) {
          const kid = envelopeKid(env) ?? MALFORMED;
          counts.set(kid, (counts.get(kid) ?? 0) + 1);
        }
      }
    }
    return [...counts].map(([kid, fields]) => ({ kid, fields, state: this.#o.keyring.state(kid) ?? 'unknown' as const }))
      .sort((a, b) => a.kid.localeCompare(b.kid));
  }

  /**
   * Forgets a kid in the key-check record so its key can be removed from the ring. Refused (CONFLICT)
   * for the active kid and while any field still uses it (rotate first).
   */
  async retireKey(kid: string): Promise<{ retired: boolean }> {
    if (kid === this.#o.keyring.activeKid) throw new VigilError('CONFLICT', `kid ${kid} is the active key and cannot be retired`);
    const used = (await this.keyUsage()).find((u) => u.kid === kid)?.fields ?? 0;
    if (used > 0) throw new VigilError('CONFLICT', `kid ${kid} still seals ${used} fields; run key rotation first`);
    return { retired: await forgetKid(this.#o.dir, kid) };
  }

  async #rewrap(type: string, id: string): Promise<void> {
    const stored = await this.#store.read(type, id);
    if (!stored) return;
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
    if (changed) await this.#store.write(type, id, stored);
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

function internalIdOf(stored: Doc, type: string, id: string): string {
  const v = stored._internal_id;
  if (typeof v === 'string' && v.length > 0) return v;
  throw new VigilError('ACCOUNT_DECRYPT_FAILED', `account ${type}/${id} has no _internal_id`);
}

function toPublic(type: string, id: string, stored: Doc, patterns: readonly SecretPattern[]): PublicAccount {
  return { type, id, updated_at: typeof stored._updated_at === 'string' ? stored._updated_at : null, account: publicView(stored, patterns) };
}

function notFound(type: string, id: string): VigilError {
  return new VigilError('ACCOUNT_NOT_FOUND', `account ${type}/${id} not found`);
}
