/**
 * Account files that exist but cannot be used (unreadable, not JSON, not an object). One bad file must
 * not take the others down: the registry notes it here, logs it once (file and reason, never content),
 * keeps serving every other account, lists it apart in search results, and answers ACCOUNT_UNUSABLE for
 * it until it is written again or deleted.
 */
import type { Logger } from 'pino';
import { AccountFileError, AccountFileStore, type Doc } from './store.ts';

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

/** The file store, keeping an UnusableAccounts list up to date on every read, write and removal. */
export class TrackedFileStore extends AccountFileStore {
  readonly unusable: UnusableAccounts;

  constructor(dir: string, logger: Logger) {
    super(dir);
    this.unusable = new UnusableAccounts(logger);
  }

  /** Throws AccountFileError (ACCOUNT_UNUSABLE) for a bad file, after noting it. */
  override async read(type: string, id: string): Promise<Doc | undefined> {
    try {
      const doc = await super.read(type, id);
      this.unusable.clear(type, id);
      return doc;
    } catch (e) {
      if (e instanceof AccountFileError) this.unusable.note(type, id, e.reason);
      throw e;
    }
  }

  /** Like read, but a bad file reads as undefined (noted and logged). */
  async readOrNote(type: string, id: string): Promise<Doc | undefined> {
    try {
      return await this.read(type, id);
    } catch (e) {
      if (e instanceof AccountFileError) return undefined;
      throw e;
    }
  }

  override async write(type: string, id: string, doc: Doc): Promise<void> {
    await super.write(type, id, doc);
    this.unusable.clear(type, id);
  }

  override async remove(type: string, id: string): Promise<boolean> {
    const removed = await super.remove(type, id);
    this.unusable.clear(type, id);
    return removed;
  }
}
