/**
 * API token records on the cluster. A token is found by the keyed hash of what the client sends, so
 * each record has a second, tiny document under that hash (`tokenhash:<hex>` → the token id): a
 * lookup is two realtime GETs by id, never a search that would miss a token created a moment ago.
 * The pointer is written before the record and removed after it, so a record is never unreachable.
 */
import type { DocStoreClient } from '../../../cluster/docstore-types.ts';
import type { TokenRecord, TokenRecords } from '../../security-types.ts';
import type { BulkWriter } from '../bulk-writer.ts';
import type { MgetReader } from '../reader.ts';
import { fromStoredToken, securityDocId, toHex, type SecuritySource, type StoredToken } from './records.ts';

export class ClusterTokens implements TokenRecords {
  readonly #ds: DocStoreClient;
  readonly #index: string;
  readonly #writer: BulkWriter;
  readonly #reader: MgetReader;

  constructor(ds: DocStoreClient, index: string, writer: BulkWriter, reader: MgetReader) {
    this.#ds = ds;
    this.#index = index;
    this.#writer = writer;
    this.#reader = reader;
  }

  async #write(doc: Parameters<BulkWriter['submit']>[0]): Promise<void> {
    const item = await this.#writer.submit(doc);
    if (!item.ok && !(doc.op === 'delete' && item.status === 404)) throw item.error;
  }

  insert(t: TokenRecord): Promise<void> {
    return this.#writer.hold(this.#insert(t));
  }

  async #insert(t: TokenRecord): Promise<void> {
    const hex = toHex(t.hash);
    await this.#write({ op: 'index', index: this.#index, id: securityDocId('tokenhash', hex), document: { kind: 'tokenhash', name: hex, body: { id: t.id } } });
    const body: StoredToken = { ...t, hash: hex };
    const doc: SecuritySource<StoredToken> = { kind: 'token', name: t.id, user: t.user, kid: t.kid, created_at: t.createdAt, body };
    await this.#write({ op: 'create', index: this.#index, id: securityDocId('token', t.id), document: doc as never });
  }

  async byHash(hash: Uint8Array): Promise<TokenRecord | undefined> {
    const hex = toHex(hash);
    const ptr = await this.#reader.get<SecuritySource<{ id: string }>>(this.#index, securityDocId('tokenhash', hex));
    if (!ptr) return undefined;
    const t = await this.get(ptr.source.body.id);
    // A pointer left by a deleted or replaced record leads nowhere.
    return t && toHex(t.hash) === hex ? t : undefined;
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const doc = await this.#reader.get<SecuritySource<StoredToken>>(this.#index, securityDocId('token', id));
    return doc && fromStoredToken(doc.source.body);
  }

  async list(user?: string): Promise<TokenRecord[]> {
    return (await this.#scan(user)).map(fromStoredToken);
  }

  async #scan(user?: string): Promise<StoredToken[]> {
    // Listing is an administrator's read: make every acknowledged token searchable first.
    await this.#ds.refresh(this.#index);
    const filter: unknown[] = [{ term: { kind: 'token' } }, ...(user !== undefined ? [{ term: { user } }] : [])];
    const out: StoredToken[] = [];
    for await (const d of this.#ds.scan<SecuritySource<StoredToken>>(this.#index, { bool: { filter } }, [{ created_at: 'asc' }, { name: 'asc' }])) out.push(d.source.body);
    return out;
  }

  async touch(id: string, at: number): Promise<void> {
    const item = await this.#writer.submit({ op: 'update', index: this.#index, id: securityDocId('token', id), doc: { body: { lastUsedAt: at } } });
    if (!item.ok && item.status !== 404) throw item.error;
  }

  delete(id: string): Promise<boolean> {
    return this.#writer.hold(this.#delete(id));
  }

  async #delete(id: string): Promise<boolean> {
    const t = await this.get(id);
    if (!t) return false;
    await this.#remove([t]);
    return true;
  }

  async #remove(tokens: TokenRecord[]): Promise<void> {
    await Promise.all(tokens.map((t) => this.#write({ op: 'delete', index: this.#index, id: securityDocId('token', t.id) })));
    await Promise.all(tokens.map((t) => this.#write({ op: 'delete', index: this.#index, id: securityDocId('tokenhash', toHex(t.hash)) })));
  }

  async deleteForUser(user: string): Promise<void> {
    await this.#remove(await this.list(user));
  }

  async kids(): Promise<string[]> {
    return [...new Set((await this.#scan()).map((t) => t.kid))].sort();
  }
}
