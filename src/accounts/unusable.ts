/**
 * Account files (or documents) that exist but cannot be used (unreadable, not JSON, not an object). One
 * bad file must not take the others down: the registry notes it here, logs it once (file and reason, never content),
 * keeps serving every other account, lists it apart in search results, and answers ACCOUNT_UNUSABLE for
 * it until it is written again or deleted.
 */
import type { Logger } from 'pino';
import type { AccountDocStore, Doc, DocVersion, StoreRecord } from './doc-store.ts';
import { AccountFileError } from './store.ts';

export interface UnusableAccount {
  type: string;
  id: string;
  /** What is wrong with the file, e.g. `is not valid JSON`. */
  reason: string;
}

export class UnusableAccounts {
  readonly #logger: Logger;
  /** `type/id` → reason. */
  readonly #known = new Map<string, UnusableAccount>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Records a bad file; logs it the first time (and again only if the reason changes). */
  note(type: string, id: string, reason: string): void {
    const key = `${type}/${id}`;
    if (this.#known.get(key)?.reason === reason) return;
    this.#known.set(key, { type, id, reason });
    this.#logger.error({ file: `${key}.json`, reason }, `account file ${key}.json ${reason}: this account is unusable until it is written again or deleted; the others stay in service`);
  }

  /** The file was read fine, rewritten or removed. */
  clear(type: string, id: string): void {
    this.#known.delete(`${type}/${id}`);
  }

  has(type: string, id: string): boolean {
    return this.#known.has(`${type}/${id}`);
  }

  /** Known bad files, sorted by type then id. */
  list(): UnusableAccount[] {
    return [...this.#known.values()].sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
  }
}

/** A document store, keeping an UnusableAccounts list up to date on every read, write and removal. */
export class TrackedStore implements AccountDocStore {
  readonly unusable: UnusableAccounts;
  readonly #inner: AccountDocStore;

  constructor(inner: AccountDocStore, logger: Logger) {
    this.#inner = inner;
    this.unusable = new UnusableAccounts(logger);
  }

  get where(): string {
    return this.#inner.where;
  }

  get unit(): 'file' | 'document' {
    return this.#inner.unit;
  }

  get shared(): boolean {
    return this.#inner.shared;
  }

  get keyCheck(): StoreRecord {
    return this.#inner.keyCheck;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  /** Throws AccountFileError (ACCOUNT_UNUSABLE) for a bad document, after noting it. */
  async read(type: string, id: string): Promise<Doc | undefined> {
    return (await this.readVersioned(type, id))?.doc;
  }

  async readVersioned(type: string, id: string): Promise<{ doc: Doc; version: DocVersion } | undefined> {
    try {
      const got = await this.#inner.readVersioned(type, id);
      this.unusable.clear(type, id);
      return got;
    } catch (e) {
      if (e instanceof AccountFileError) this.unusable.note(type, id, e.reason);
      throw e;
    }
  }

  /** Like read, but a bad document reads as undefined (noted and logged). */
  async readOrNote(type: string, id: string): Promise<Doc | undefined> {
    return (await this.readVersionedOrNote(type, id))?.doc;
  }

  async readVersionedOrNote(type: string, id: string): Promise<{ doc: Doc; version: DocVersion } | undefined> {
    try {
      return await this.readVersioned(type, id);
    } catch (e) {
      if (e instanceof AccountFileError) return undefined;
      throw e;
    }
  }

  async write(type: string, id: string, doc: Doc, expected?: DocVersion | null): Promise<void> {
    await this.#inner.write(type, id, doc, expected);
    this.unusable.clear(type, id);
  }

  async remove(type: string, id: string): Promise<boolean> {
    const removed = await this.#inner.remove(type, id);
    this.unusable.clear(type, id);
    return removed;
  }

  listIds(type: string, accept?: (id: string) => boolean): Promise<string[]> {
    return this.#inner.listIds(type, accept);
  }

  listTypes(): Promise<string[]> {
    return this.#inner.listTypes();
  }

  cleanUp(types: readonly string[]): Promise<number> {
    return this.#inner.cleanUp(types);
  }
}
