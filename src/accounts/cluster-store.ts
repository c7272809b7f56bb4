/**
 * Sealed account documents in an index of the cluster that holds the state (`<prefix>-accounts`), one
 * document per (type, id) with the id `<type>:<id>`: the same sealed document the accounts folder holds
 * in `<type>/<id>.json`, kept whole and unparsed by the cluster (`doc`). The key-check record is the
 * document `.keycheck` (no account id starts with a dot).
 *
 * Several processes may write here (daemons, `vigil rotate-keys`): a write after a read names the
 * version it read (compare-and-set), so neither overwrites the other unseen.
 */
import { VigilError } from '../errors.ts';
import { isVersionConflict, type Cas, type DocStoreClient } from '../cluster/docstore-types.ts';
import type { Clock } from '../clock.ts';
import type { AccountDocStore, Doc, DocVersion, StoreRecord } from './doc-store.ts';
import { AccountFileError, assertStoredId, assertValidId, isObject, isStoredId, isValidId, toNullProto } from './store.ts';

interface AccountSource {
  type?: string;
  account_id?: string;
  doc?: unknown;
  record?: unknown;
  updated_at: number;
}

const KEYCHECK_ID = '.keycheck';
const PAGE = 1000;

export class ClusterAccountStore implements AccountDocStore {
  readonly where: string;
  readonly unit = 'document' as const;
  readonly shared = true;
  readonly keyCheck: StoreRecord;
  readonly #ds: DocStoreClient;
  readonly #index: string;
  readonly #clock: Clock;

  constructor(o: { docs: DocStoreClient; index: string; clock: Clock }) {
    this.#ds = o.docs;
    this.#index = o.index;
    this.#clock = o.clock;
    this.where = `index ${o.index}`;
    this.keyCheck = {
      where: `the key-check record (${o.index}/${KEYCHECK_ID})`,
      read: async () => {
        const d = await this.#ds.get<AccountSource>(this.#index, KEYCHECK_ID);
        return d ? toNullProto(d.source.record) : undefined;
      },
      write: async (record) => {
        await this.#ds.write({ op: 'index', index: this.#index, id: KEYCHECK_ID, document: { record, updated_at: this.#clock.now() } as never });
      },
    };
  }

  /** The index is created with the state indices (at the state store's open). */
  async init(): Promise<void> {}

  async read(type: string, id: string): Promise<Doc | undefined> {
    return (await this.readVersioned(type, id))?.doc;
  }

  async readVersioned(type: string, id: string): Promise<{ doc: Doc; version: DocVersion } | undefined> {
    const d = await this.#ds.get<AccountSource>(this.#index, this.#id(type, id));
    if (!d) return undefined;
    if (!isObject(d.source.doc)) throw new AccountFileError(type, id, 'is not a JSON object', 'document');
    const version: Cas = { ifSeqNo: d.seqNo, ifPrimaryTerm: d.primaryTerm };
    return { doc: toNullProto(d.source.doc), version };
  }

  async write(type: string, id: string, doc: Doc, expected?: DocVersion | null): Promise<void> {
    const source: AccountSource = { type, account_id: id, doc, updated_at: this.#clock.now() };
    const cas = expected ? (expected as Cas) : undefined;
    try {
      await this.#ds.write({ op: expected === null ? 'create' : 'index', index: this.#index, id: this.#id(type, id), document: source as never, ...(cas ? { cas } : {}) });
    } catch (e) {
      if (isVersionConflict(e)) throw new VigilError('CONFLICT', `account ${type}/${id} was changed by another process meanwhile; try again`, undefined, { cause: e });
      throw e;
    }
  }

  async remove(type: string, id: string): Promise<boolean> {
    return this.#ds.delete(this.#index, this.#id(type, id));
  }

  async listIds(type: string, accept: (id: string) => boolean = isValidId): Promise<string[]> {
    assertValidId('type', type);
    const ids: string[] = [];
    for await (const d of this.#scan({ term: { type } })) if (isStoredId(d.account_id) && accept(d.account_id)) ids.push(d.account_id);
    return ids.sort();
  }

  async listTypes(): Promise<string[]> {
    const types = new Set<string>();
    for await (const d of this.#scan({ exists: { field: 'type' } })) if (isValidId(d.type)) types.add(d.type);
    return [...types].sort();
  }

  /** Writes are single documents: nothing to clean up. */
  async cleanUp(): Promise<number> {
    return 0;
  }

  async *#scan(query: Record<string, unknown>): AsyncIterable<AccountSource> {
    await this.#ds.refresh(this.#index);
    const sort = [{ type: 'asc' }, { account_id: 'asc' }];
    for await (const d of this.#ds.scan<AccountSource>(this.#index, query, sort, PAGE)) yield d.source;
  }

  #id(type: string, id: string): string {
    assertValidId('type', type);
    assertStoredId(id);
    // A type has no `:`, so the first one ends it even when the id (a proxy's `host:port`) has some.
    return `${type}:${id}`;
  }
}
