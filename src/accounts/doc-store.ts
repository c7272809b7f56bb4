/**
 * The seam between the accounts registry and where its sealed documents are kept: a folder of files
 * (store.ts) or an index of the cluster that holds the state (cluster-store.ts). Documents are named by
 * (type, id): the type checked by `assertValidId`, the id by the stored-id rule (`isStoredId`: account
 * ids, and the ids of the other kinds kept beside them, stored proxies and trust stores) before
 * anything is touched; what they hold (sealed secrets, metadata) is the registry's business.
 */

/** A JSON object without a prototype, so keys such as `__proto__` are plain data. */
export type Doc = Record<string, unknown>;

/** The version of a stored document a conditional write names; opaque to callers. */
export type DocVersion = unknown;

/** A small record the store keeps beside the documents it vouches for (the key check). */
export interface StoreRecord {
  /** For messages: `.keycheck.json in the accounts folder`, say. */
  readonly where: string;
  /** The record, or undefined when there is none. Throws CONFIG_INVALID for one that cannot be read. */
  read(): Promise<unknown>;
  write(doc: unknown): Promise<void>;
}

export interface AccountDocStore {
  /** For messages: the folder, or the index. */
  readonly where: string;
  /** What one document is called in messages: `file` or `document`. */
  readonly unit: 'file' | 'document';
  /**
   * Whether other processes write these documents too (the cluster's index, shared by daemons and
   * tools): then what one process read may be changed behind it, and what it caches must expire.
   */
  readonly shared: boolean;
  /** Creates what is missing (the folder; the index is created with the state indices). */
  init(): Promise<void>;
  /** The stored document, or undefined. Throws AccountFileError (ACCOUNT_UNUSABLE) for one that cannot be used. */
  read(type: string, id: string): Promise<Doc | undefined>;
  /** As `read`, with the version a conditional `write` names. */
  readVersioned(type: string, id: string): Promise<{ doc: Doc; version: DocVersion } | undefined>;
  /**
   * Stores a document whole. `expected`: the version read (the write applies only while it is still the
   * stored one), null for "only if there is none", undefined for unconditional. A mismatch throws
   * CONFLICT, where another process may write too (the cluster); a folder has one writer and ignores it.
   */
  write(type: string, id: string, doc: Doc, expected?: DocVersion | null): Promise<void>;
  /** Removes a document; false when there was none. */
  remove(type: string, id: string): Promise<boolean>;
  /** Sorted ids of one type that `accept` takes (default: account ids; names no id can have are ignored). */
  listIds(type: string, accept?: (id: string) => boolean): Promise<string[]>;
  /** Sorted types that have documents (or a folder). */
  listTypes(): Promise<string[]>;
  /** Removes what interrupted writes left (temp files of a folder); returns how many. */
  cleanUp(types: readonly string[]): Promise<number>;
  /** The key-check record (keycheck.ts), kept with the documents whose keys it vouches for. */
  readonly keyCheck: StoreRecord;
}
