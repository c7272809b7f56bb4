/** Small JSON documents by key on the cluster (`<prefix>-kv`), read back by realtime GET. */
import type { KvStore } from '../types.ts';
import type { BulkWriter } from './bulk-writer.ts';
import type { MgetReader } from './reader.ts';

export class ClusterKv implements KvStore {
  readonly #index: string;
  readonly #writer: BulkWriter;
  readonly #reader: MgetReader;
  readonly #now: () => number;

  constructor(index: string, writer: BulkWriter, reader: MgetReader, now: () => number) {
    this.#index = index;
    this.#writer = writer;
    this.#reader = reader;
    this.#now = now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const doc = await this.#reader.get<{ value: { v: T } }>(this.#index, key);
    return doc?.source.value.v;
  }

  async put(key: string, value: unknown): Promise<void> {
    // Wrapped: any JSON value, kept unparsed (only objects can be `enabled: false`).
    const item = await this.#writer.submit({ op: 'index', index: this.#index, id: key, document: { value: { v: value }, updated_at: this.#now() } });
    if (!item.ok) throw item.error;
  }

  async delete(key: string): Promise<void> {
    const item = await this.#writer.submit({ op: 'delete', index: this.#index, id: key });
    if (!item.ok) throw item.error;
  }
}
