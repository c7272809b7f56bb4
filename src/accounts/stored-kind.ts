/**
 * What the stored proxies and trust stores share: the REST operations over one kind of documents in
 * the accounts store, each answered with the kind's public view, and a cache of what a request resolves
 * an id to (a proxy's URL, a trust store's certificates), dropped at every write of that id.
 */
import { VigilError } from '../errors.ts';
import type { KindDocs } from './sealed-docs.ts';
import { ResolveCache } from './resolve-cache.ts';
import type { Doc } from './store.ts';

/** How one kind of stored document is checked and shown. */
export interface StoredKind<Public> {
  /** Throws INVALID_ID for an id no document of this kind can have. */
  assertId(id: string): void;
  /** The body to store, or the VigilError that refuses it (absent: stored as PUT took it). */
  toStored?(body: unknown): unknown;
  /** The document as GET shows it. */
  toPublic(id: string, stored: Doc): Public;
}

/** Create, read, list and delete of one kind of stored document; `Resolved` is what a request uses. */
export class StoredKindRegistry<Public, Resolved> {
  readonly #docs: KindDocs;
  readonly #kind: StoredKind<Public>;
  readonly #resolved: ResolveCache<Resolved>;

  constructor(docs: KindDocs, kind: StoredKind<Public>) {
    this.#docs = docs;
    this.#kind = kind;
    this.#resolved = new ResolveCache(docs.cacheLife);
  }

  /** Throws INVALID_ID for an id no document of this kind can have. */
  assertId(id: string): void {
    this.#kind.assertId(id);
  }

  /** Create or replace. Throws INVALID_ID / INVALID_REQUEST (by field, never quoting a secret). */
  async put(id: string, body: unknown): Promise<{ created: boolean; doc: Public }> {
    this.#kind.assertId(id);
    const doc = this.#kind.toStored ? this.#kind.toStored(body) : body;
    if (doc instanceof VigilError) throw doc;
    try {
      const { created } = await this.#docs.put(id, doc);
      return { created, doc: this.#kind.toPublic(id, await this.#docs.stored(id)) };
    } finally {
      this.#resolved.invalidate(id);
    }
  }

  async get(id: string): Promise<Public> {
    this.#kind.assertId(id);
    return this.#kind.toPublic(id, await this.#docs.stored(id));
  }

  async list(): Promise<Public[]> {
    return (await this.#docs.list()).map(({ id, stored }) => this.#kind.toPublic(id, stored));
  }

  async delete(id: string): Promise<{ deleted: boolean }> {
    this.#kind.assertId(id);
    try {
      return await this.#docs.delete(id);
    } finally {
      this.#resolved.invalidate(id);
    }
  }

  /** What `use` makes of the document with its secrets opened, cached until a write. Throws NOT_FOUND. */
  protected resolved(id: string, use: (opened: unknown) => Resolved | Promise<Resolved>): Promise<Resolved> {
    return this.#resolved.get(id, async () => use(await this.#docs.resolve(id)));
  }
}
