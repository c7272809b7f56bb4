/**
 * Sealed documents in the accounts store (the folder, or the cluster's accounts index): what accounts
 * and the registry's other kinds of document (stored proxies, trust stores) share. Each secret field
 * (found by pattern) is sealed on its own, as the JSON text of its value, under an AAD naming the
 * document's kind, internal id and field; a PUT that omits a stored secret keeps it, `null` clears it.
 * Mutations of one document are serialised in this process, so a PUT racing a key rotation cannot lose
 * either write; a write after a read names the version it read, so another process writing the same
 * document (a second daemon, `vigil rotate-keys` on the cluster) is not overwritten unseen either.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import { zodDetail } from '../error-detail.ts';
import type { AccountSchema } from './account-types.ts';
import { deepFreeze, stringsIn, takeDocumentFields, withoutMeta, withoutSecrets } from './account-doc.ts';
import { KeyedLock } from './keyed-lock.ts';
import { takeTenants, takeTenantsFor, TENANTS_FIELD } from './tenants.ts';
import { isDisabled, takeCommonFields } from './common-fields.ts';
import type { KeyRing } from './keyring.ts';
import { createRedactor, type Redactor } from './redact.ts';
import { envelopeKid, open, seal } from './seal.ts';
import { bodyIntent, fieldName, secretLeaves, setPath, stripSecretNulls, type SecretLeaf, type SecretPattern } from './secret-paths.ts';
import { findReservedKey, isObject, nullProto, toNullProto, type Doc } from './store.ts';
import type { TrackedStore } from './unusable.ts';
import type { CacheLife } from './resolve-cache.ts';

/** One kind of sealed document: its schema, where its secrets are, and how it is named in messages. */
export interface DocSpec {
  /** What one document is called in messages: `Account`, `Proxy`, `Trust store`. */
  readonly label: string;
  readonly schema: AccountSchema;
  readonly patterns: readonly SecretPattern[];
  /** Accounts take the fields of Signals' exports (`type`, `_name`), checked and dropped. */
  readonly signalsExport?: boolean;
  /** Accounts name the tenants that may use them (`tenants`, kept in clear, never handed to the type). */
  readonly tenants?: boolean;
  /**
   * Accounts have `name`, `description` and `enabled` (common-fields.ts), kept in clear beside the
   * type's fields and never handed to the type; a disabled one is not resolved.
   */
  readonly commonFields?: boolean;
  /**
   * Whether the stored secrets a PUT body omits may be kept for the new document (default: yes). A
   * secret must not follow a document to a destination it was not given for.
   */
  keepsSecrets?(stored: Doc, candidate: Doc): boolean;
  /** The error for a document that does not exist. */
  notFound(type: string, id: string): VigilError;
}

export interface PutOptions {
  /** `create`: the document must not exist yet (CONFLICT); `update`: it must exist (not found). Default: either. */
  expect?: 'create' | 'update';
}

export interface ResolveOptions {
  /** The tenant of the watch using the account: an account that does not name it is refused. */
  tenant?: string | undefined;
  /** Hand out a disabled account too (load-time checks); by default it is refused with ACCOUNT_DISABLED. */
  allowDisabled?: boolean;
}

export interface SealedDocsOptions {
  store: TrackedStore;
  keyring: KeyRing;
  clock: Clock;
  logger: Logger;
  /** Receives every decrypted secret string. */
  redactor: Redactor;
  /** Audit hook: a stored secret failed to decrypt (tampering or corruption); the document is unusable. */
  onDecryptFailure?: ((type: string, id: string, field: string) => void) | undefined;
}

export class SealedDocs {
  readonly #o: SealedDocsOptions;
  readonly #locks = new KeyedLock();

  constructor(o: SealedDocsOptions) {
    this.#o = o;
  }

  /** PUT: an omitted secret keeps its stored value (where `spec.keepsSecrets` allows), `null` clears it, a value replaces it. */
  async put(spec: DocSpec, type: string, id: string, body: unknown, opts: PutOptions = {}): Promise<{ created: boolean }> {
    return this.update(spec, type, id, () => body, opts);
  }

  /**
   * A PUT whose body `build` makes, under the document's lock, from the stored document's non-secret
   * fields (bookkeeping keys and secrets left out, so those are kept unless the body clears or
   * replaces them), or from undefined when there is none.
   */
  async update(spec: DocSpec, type: string, id: string, build: (current: Doc | undefined) => unknown, opts: PutOptions = {}): Promise<{ created: boolean }> {
    const { store, clock, keyring } = this.#o;
    return this.#locks.run(`${type}/${id}`, () => retryConflicts(async () => {
      // A bad file is replaced: its secrets could not be kept anyway.
      const read = await store.readVersionedOrNote(type, id);
      const stored = read?.doc;
      const replacesUnusable = stored === undefined && store.unusable.has(type, id);
      if (opts.expect === 'create' && (stored || replacesUnusable)) throw new VigilError('CONFLICT', `${spec.label.toLowerCase()} ${type}/${id} already exists`);
      if (opts.expect === 'update' && !stored && !replacesUnusable) throw spec.notFound(type, id);
      const body = build(stored ? withoutSecrets(stored, spec.patterns) : undefined);
      if (!isObject(body)) throw new VigilError('INVALID_REQUEST', `${article(spec.label)} must be a JSON object`);
      const reserved = findReservedKey(body);
      if (reserved) throw new VigilError('INVALID_REQUEST', `${spec.label} is invalid: 1 errors; see detail.`, { [reserved]: [{ error: 'reserved key name' }] });
      const internalId = stored ? internalIdOf(stored, type, id) : randomUUID();
      const now = new Date(clock.now()).toISOString();
      const candidate = toNullProto(body);
      const exportProblems = spec.signalsExport ? takeDocumentFields(candidate, type) : {};
      const { tenants, detail: tenantProblems } = spec.tenants ? takeTenants(candidate) : { tenants: undefined, detail: {} };
      Object.assign(exportProblems, tenantProblems);
      const common = spec.commonFields ? takeCommonFields(candidate) : { fields: {}, detail: {} };
      Object.assign(exportProblems, common.detail);
      stripSecretNulls(candidate, spec.patterns);
      const kept = new Map<string, string>();
      const keep = stored !== undefined && (spec.keepsSecrets?.(withoutMeta(stored), candidate) ?? true);
      for (const leaf of keep ? secretLeaves(stored, spec.patterns) : []) {
        if (typeof leaf.value !== 'string' || bodyIntent(body, leaf.path) !== 'absent') continue;
        if (setPath(candidate, leaf.path, this.#openLeaf(type, id, internalId, leaf))) kept.set(fieldName(leaf.path), leaf.value);
      }
      const secrets = secretLeaves(candidate, spec.patterns);
      const parsed = spec.schema.safeParse(candidate);
      if (!parsed.success || Object.keys(exportProblems).length > 0) {
        const scrub = createRedactor({ minLength: 1 });
        for (const s of secrets) for (const str of stringsIn(s.value)) scrub.add(str);
        const detail = { ...exportProblems, ...(parsed.success ? {} : zodDetail(parsed.error.issues, { scrub: (m) => scrub.scrub(m) })) };
        throw new VigilError('INVALID_REQUEST', `${spec.label} is invalid: ${Object.keys(detail).length} errors; see detail.`, detail);
      }
      const prevUpdated = stored && isObject(stored._secret_updated_at) ? stored._secret_updated_at : nullProto();
      const secretUpdated = nullProto();
      for (const leaf of secrets) {
        const field = fieldName(leaf.path);
        const k = kept.get(field);
        secretUpdated[field] = k ? (prevUpdated[field] ?? stored?._updated_at ?? now) : now;
        setPath(candidate, leaf.path, k ?? seal(keyring, JSON.stringify(leaf.value), { type, internalId, field }));
      }
      const doc = nullProto();
      doc._internal_id = internalId;
      doc._created_at = stored ? createdAtOf(stored) : now;
      doc._updated_at = now;
      doc._secret_updated_at = secretUpdated;
      for (const [k, v] of Object.entries(common.fields)) doc[k] = v;
      for (const [k, v] of Object.entries(withoutMeta(candidate))) doc[k] = v;
      if (tenants !== undefined) doc[TENANTS_FIELD] = tenants;
      // Conditional: another process's write to the same document since the read is not overwritten unseen.
      await store.write(type, id, doc, read ? read.version : replacesUnusable ? undefined : null);
      if (replacesUnusable) this.#o.logger.warn({ file: `${type}/${id}.json` }, 'an unusable account file was replaced by a PUT');
      return { created: !stored && !replacesUnusable };
    }));
  }

  /** The stored document (bookkeeping keys included, secrets sealed). Throws the spec's not-found error. */
  async stored(spec: DocSpec, type: string, id: string): Promise<Doc> {
    const stored = await this.#o.store.read(type, id);
    if (!stored) throw spec.notFound(type, id);
    return stored;
  }

  /**
   * The decrypted, schema-checked, frozen document. A secret that fails to decrypt makes this document
   * unusable (ACCOUNT_DECRYPT_FAILED, audit hook); others are unaffected. With `o.tenant` (a watch's use
   * of an account), an account whose `tenants` do not name that tenant is refused (MISSING_PRIVILEGES)
   * before anything is decrypted; so is a disabled account (ACCOUNT_DISABLED) unless `o.allowDisabled`.
   */
  async resolve(spec: DocSpec, type: string, id: string, o: ResolveOptions = {}): Promise<unknown> {
    const stored = await this.stored(spec, type, id);
    const internalId = internalIdOf(stored, type, id);
    const doc = withoutMeta(stored);
    // Accounts stored before these fields were dropped at PUT may still carry them.
    if (spec.signalsExport) takeDocumentFields(doc, type);
    if (spec.tenants) takeTenantsFor(doc, { type, id }, o.tenant);
    if (spec.commonFields) {
      // After the tenant check: another tenant's watch learns nothing of the account, not even its state.
      if (isDisabled(stored) && !o.allowDisabled) {
        throw new VigilError('ACCOUNT_DISABLED', `account ${type}/${id} is disabled (enabled: false): nothing is sent with it until it is enabled again`);
      }
      takeCommonFields(doc);
    }
    const plain: unknown[] = [];
    for (const leaf of secretLeaves(doc, spec.patterns)) {
      const value = this.#openLeaf(type, id, internalId, leaf);
      plain.push(value);
      setPath(doc, leaf.path, value);
    }
    const parsed = spec.schema.safeParse(doc);
    if (!parsed.success) {
      const scrub = createRedactor({ minLength: 1 });
      for (const str of stringsIn(plain)) scrub.add(str);
      const detail = zodDetail(parsed.error.issues, { scrub: (m) => scrub.scrub(m) });
      throw new VigilError('CONFIG_INVALID', `stored ${spec.label.toLowerCase()} ${type}/${id} no longer matches its schema`, detail);
    }
    for (const s of stringsIn(plain)) this.#o.redactor.add(s);
    return deepFreeze(parsed.data);
  }

  async delete(type: string, id: string): Promise<{ deleted: boolean }> {
    return this.#locks.run(`${type}/${id}`, async () => ({ deleted: await this.#o.store.remove(type, id) }));
  }

  /** Rewraps the document's secrets under the active key (those on it already are left alone). */
  async rewrap(patterns: readonly SecretPattern[], type: string, id: string): Promise<void> {
    return this.#locks.run(`${type}/${id}`, () => retryConflicts(async () => {
      const read = await this.#o.store.readVersioned(type, id);
      if (!read) return;
      const stored = read.doc;
      const internalId = internalIdOf(stored, type, id);
      const active = this.#o.keyring.activeKid;
      let changed = false;
      for (const leaf of secretLeaves(stored, patterns)) {
        if (typeof leaf.value !== 'string' || envelopeKid(leaf.value) === active) continue;
        const field = fieldName(leaf.path);
        const text = this.#openText(type, id, internalId, field, leaf.value);
        setPath(stored, leaf.path, seal(this.#o.keyring, text, { type, internalId, field }));
        changed = true;
      }
      if (changed) await this.#o.store.write(type, id, stored, read.version);
    }));
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
}

/** Tries of a read-then-write that another process's write to the same document interrupted. */
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

function article(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label.toLowerCase()}`;
}

/** When the document was created; files written before the field existed give their last update. */
function createdAtOf(stored: Doc): string | undefined {
  const v = stored._created_at ?? stored._updated_at;
  return typeof v === 'string' ? v : undefined;
}

function internalIdOf(stored: Doc, type: string, id: string): string {
  const v = stored._internal_id;
  if (typeof v === 'string' && v.length > 0) return v;
  throw new VigilError('ACCOUNT_DECRYPT_FAILED', `account ${type}/${id} has no _internal_id`);
}

/**
 * One kind of document kept beside the accounts in the same store (a directory of its own whose name
 * no account type can take), never listed among the accounts.
 */
export class KindDocs {
  readonly kind: string;
  readonly spec: DocSpec;
  readonly #docs: SealedDocs;
  /** How long what is resolved from these documents may be cached (see CacheLife). */
  readonly cacheLife: CacheLife | undefined;
  readonly #store: TrackedStore;

  constructor(kind: string, spec: DocSpec, docs: SealedDocs, store: TrackedStore, cacheLife?: CacheLife) {
    this.kind = kind;
    this.spec = spec;
    this.#docs = docs;
    this.#store = store;
    this.cacheLife = cacheLife;
  }

  put(id: string, body: unknown): Promise<{ created: boolean }> {
    return this.#docs.put(this.spec, this.kind, id, body);
  }

  /** As stored (secrets sealed); throws the spec's not-found error, or ACCOUNT_UNUSABLE for a bad file. */
  stored(id: string): Promise<Doc> {
    return this.#docs.stored(this.spec, this.kind, id);
  }

  resolve(id: string): Promise<unknown> {
    return this.#docs.resolve(this.spec, this.kind, id);
  }

  delete(id: string): Promise<{ deleted: boolean }> {
    return this.#docs.delete(this.kind, id);
  }

  /** Every id in the store, sorted. */
  ids(): Promise<string[]> {
    return this.#store.listIds(this.kind, () => true);
  }

  /** Every usable document, sorted by id (a bad file is left out, and logged once by the store). */
  async list(): Promise<Array<{ id: string; stored: Doc }>> {
    const out: Array<{ id: string; stored: Doc }> = [];
    for (const id of await this.ids()) {
      const stored = await this.#store.readOrNote(this.kind, id);
      if (stored) out.push({ id, stored });
    }
    return out;
  }

  rewrap(id: string): Promise<void> {
    return this.#docs.rewrap(this.spec.patterns, this.kind, id);
  }
}
