/**
 * Watch state on the cluster: one document per watch, written with compare-and-set against the version
 * this store last saw (`if_seq_no`/`if_primary_term`), and carrying the deliveries its write decided
 * (`handoff`) until they are known to be in the outbox. That one document write is atomic, so a
 * decision and its notifications are never separated by a crash (see commit.ts and docs/architecture.md).
 *
 * The store keeps each state's text and version in memory: a run's read is a JSON.parse, and its write
 * one bulk item, not a GET and a write. Writes of one watch are serialised in this process; another
 * writer (a second daemon, a stale one) shows up as a version conflict, which empties the entry and
 * fails the write with CONFLICT. A conflict whose document still carries the write this store last
 * made (its `write_id`) is not another writer but the same content under a new version (an
 * `_update_by_query` re-indexing documents as they are, after a mapping change): the write is retried
 * against the new version.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { VigilError } from '../../errors.ts';
import { isVersionConflict, type BulkOp } from '../../cluster/docstore-types.ts';
import { claimLost, lastScheduledTime, type RunCommit } from '../types.ts';
import type { BulkWriter } from './bulk-writer.ts';
import type { MgetReader } from './reader.ts';
import { KeyedChain } from './keyed-chain.ts';

export type WatchState = NonNullable<RunCommit['state']>['value'];
export type NewOutboxEntry = NonNullable<RunCommit['enqueue']>[number];

/** Deliveries decided by the state write `write_id`, not yet known to be in the outbox. */
export interface Handoff {
  write_id: string;
  entries: NewOutboxEntry[];
}

export interface StateSource {
  tenant: string;
  watch_id: string;
  state: WatchState;
  active_override?: boolean;
  handoff: Handoff | null;
  has_handoff: boolean;
  last_scheduled_time?: number;
  node: string;
  write_id: string;
  updated_at: number;
}

interface Entry {
  exists: boolean;
  seqNo: number;
  primaryTerm: number;
  writeId: string | null;
  /** The state's JSON text as stored; null when there is no document. */
  text: string | null;
  handoff: Handoff | null;
  /** `last_scheduled_time` of the stored document: what a run claim compares with. */
  scheduled: number | undefined;
  /** Which daemon wrote it (for the claim's message). */
  node: string;
}

/** Creates the outbox documents of a handoff (idempotent); returns the keys that are new. */
export type Materialise = (h: Handoff, seqNo: number) => Promise<string[]>;

export interface StateDocsOptions {
  index: string;
  node: string;
  clock: Clock;
  writer: BulkWriter;
  reader: MgetReader;
  materialise: Materialise;
  /** States kept in memory at most, default 100 000 (the oldest written is dropped first). */
  cacheEntries?: number;
}

export const stateDocId = (tenant: string, watchId: string): string => `${encodeURIComponent(tenant)}:${encodeURIComponent(watchId)}`;

/** Tries of one write whose only conflict is a moved version (see the file comment). */
const MAX_REBASES = 3;

const scheduledTime = lastScheduledTime;

export class StateDocs {
  readonly #o: StateDocsOptions & { cacheEntries: number };
  readonly #cache = new Map<string, Entry>();
  readonly #chain = new KeyedChain();

  constructor(o: StateDocsOptions) {
    this.#o = { ...o, cacheEntries: o.cacheEntries ?? 100_000 };
  }

  /** A fresh object every call. */
  async get(tenant: string, watchId: string): Promise<WatchState | undefined> {
    const id = stateDocId(tenant, watchId);
    // A write of this watch in flight: read what it leaves.
    await this.#chain.idle(id);
    const e = await this.#entry(id);
    return e.text === null ? undefined : (JSON.parse(e.text) as WatchState);
  }

  /**
   * Writes the state (null deletes the document) and, atomically with it, the deliveries it decided;
   * then puts those in the outbox. Returns the keys that were new there. With `claim` (a scheduled
   * time), the write applies only while the stored `last_scheduled_time` is earlier: checked against
   * the version the compare-and-set names, so a stale copy fails the CAS instead.
   */
  write(tenant: string, watchId: string, state: WatchState | null, enqueue: NewOutboxEntry[] = [], claim?: number): Promise<string[]> {
    const id = stateDocId(tenant, watchId);
    return this.#o.writer.hold(this.#chain.run(id, async () => {
      let e = await this.#entry(id);
      // Deliveries an earlier write decided and that did not reach the outbox (a failed attempt, or a
      // previous process that stopped in between) go first: the next write no longer carries them.
      if (e.handoff) {
        await this.#o.materialise(e.handoff, e.seqNo);
        e = { ...e, handoff: null };
        this.#remember(id, e);
      }
      if (claim !== undefined && e.scheduled !== undefined && e.scheduled >= claim) throw claimLost(tenant, watchId, claim, e.scheduled, e.node || undefined);
      if (state === null) {
        // Whatever this store last saw: a document another writer made meanwhile goes too.
        await this.#submit({ op: 'delete', index: this.#o.index, id });
        this.#cache.delete(id);
        return [];
      }
      const writeId = randomUUID();
      const handoff = enqueue.length ? { write_id: writeId, entries: enqueue } : null;
      const text = JSON.stringify(state);
      const scheduled = scheduledTime(state);
      const rest: Omit<StateSource, 'state'> = {
        tenant,
        watch_id: watchId,
        ...(typeof state.active_override === 'boolean' ? { active_override: state.active_override } : {}),
        handoff,
        has_handoff: handoff !== null,
        ...(scheduled !== undefined ? { last_scheduled_time: scheduled } : {}),
        node: this.#o.node,
        write_id: writeId,
        updated_at: this.#o.clock.now(),
      };
      // The state's text is the cache's too: serialised once per write, not once more for the request.
      const source = { json: `{"state":${text},${JSON.stringify(rest).slice(1)}`, tenant, watchId, writeId };
      const written = await this.#casWrite(id, e, source, text, scheduled);
      if (!handoff) return [];
      this.#remember(id, { ...written, handoff });
      const fresh = await this.#o.materialise(handoff, written.seqNo);
      this.#remember(id, { ...written, handoff: null });
      return fresh;
    }));
  }

  /**
   * Puts the handoff of a document written by an earlier process into the outbox and clears it (the
   * recovery at open). The write that clears it is conditional: a watch written meanwhile keeps its own.
   */
  recover(tenant: string, watchId: string): Promise<void> {
    const id = stateDocId(tenant, watchId);
    return this.#o.writer.hold(this.#chain.run(id, async () => {
      this.#cache.delete(id);
      const doc = await this.#o.reader.get<StateSource>(this.#o.index, id);
      if (!doc?.source.handoff) return;
      await this.#o.materialise(doc.source.handoff, doc.seqNo);
      const cleared: StateSource = { ...doc.source, handoff: null, has_handoff: false, write_id: randomUUID() };
      const item = await this.#o.writer.submit({ op: 'index', index: this.#o.index, id, document: cleared as never, cas: { ifSeqNo: doc.seqNo, ifPrimaryTerm: doc.primaryTerm } });
      if (!item.ok && !isVersionConflict(item.error)) throw item.error;
    }));
  }

  async #casWrite(id: string, base: Entry, source: { json: string; tenant: string; watchId: string; writeId: string }, text: string, scheduled: number | undefined): Promise<Entry> {
    const node = this.#o.node;
    for (let attempt = 0; ; attempt++) {
      const op: BulkOp = base.exists
        ? { op: 'index', index: this.#o.index, id, document: source.json, cas: { ifSeqNo: base.seqNo, ifPrimaryTerm: base.primaryTerm } }
        : { op: 'create', index: this.#o.index, id, document: source.json };
      const item = await this.#o.writer.submit(op);
      if (item.ok) return this.#remember(id, { exists: true, seqNo: item.seqNo, primaryTerm: item.primaryTerm, writeId: source.writeId, text, handoff: null, scheduled, node });
      if (!isVersionConflict(item.error)) throw item.error;
      const now = await this.#o.reader.get<StateSource>(this.#o.index, id);
      // Our own write, applied by an attempt whose answer was lost.
      if (now?.source.write_id === source.writeId) return this.#remember(id, { exists: true, seqNo: now.seqNo, primaryTerm: now.primaryTerm, writeId: source.writeId, text, handoff: null, scheduled, node });
      const unchanged = (now?.source.write_id ?? null) === base.writeId && (now !== undefined) === base.exists;
      if (!unchanged || attempt >= MAX_REBASES) {
        this.#cache.delete(id);
        const by = now ? ` (last written by ${now.source.node || 'an unnamed daemon'})` : ' (deleted)';
        throw new VigilError('CONFLICT', `the state of watch [${source.tenant}/${source.watchId}] was changed by another writer${by}; this write is dropped`);
      }
      base = { ...base, seqNo: now!.seqNo, primaryTerm: now!.primaryTerm };
    }
  }

  async #submit(op: BulkOp): Promise<void> {
    const item = await this.#o.writer.submit(op);
    if (!item.ok) throw item.error;
  }

  async #entry(id: string): Promise<Entry> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const doc = await this.#o.reader.get<StateSource>(this.#o.index, id);
    const e: Entry = doc
      ? { exists: true, seqNo: doc.seqNo, primaryTerm: doc.primaryTerm, writeId: doc.source.write_id, text: JSON.stringify(doc.source.state), handoff: doc.source.handoff ?? null, scheduled: doc.source.last_scheduled_time ?? undefined, node: doc.source.node }
      : { exists: false, seqNo: -1, primaryTerm: 0, writeId: null, text: null, handoff: null, scheduled: undefined, node: '' };
    return this.#remember(id, e);
  }

  /**
   * Drops the cached copy of a watch's state: another daemon may have written it since (this daemon
   * just became its owner), and the next read must see that.
   */
  forget(tenant: string, watchId: string): void {
    this.#cache.delete(stateDocId(tenant, watchId));
  }

  /**
   * Reads the state document again; when the read fails, the cached copy (if any) stays: writes are
   * compare-and-set on its version, so a stale copy makes a write fail, never overwrite.
   */
  async refresh(tenant: string, watchId: string): Promise<void> {
    const id = stateDocId(tenant, watchId);
    await this.#chain.idle(id);
    const cached = this.#cache.get(id);
    this.#cache.delete(id);
    try {
      await this.#entry(id);
    } catch (e) {
      if (!cached) throw e;
      if (!this.#cache.has(id)) this.#remember(id, cached);
    }
  }

  #remember(id: string, e: Entry): Entry {
    this.#cache.delete(id);
    if (this.#cache.size >= this.#o.cacheEntries) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(id, e);
    return e;
  }
}
