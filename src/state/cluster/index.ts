/**
 * The state store on the user's Elasticsearch/OpenSearch cluster: the same contract as the embedded
 * SQLite store, without multi-document transactions (the commit protocol, its failure cases and the
 * index set are in docs/architecture.md, "State on the cluster").
 *
 * `open` creates or migrates the indices, finishes a security batch a crash left half-applied, and puts
 * into the outbox every delivery that a previous process decided but did not get there (a non-empty
 * `handoff` on a state document), before anything reads the outbox.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.ts';
import { VigilError } from '../../errors.ts';
import { silentLogger } from '../../log.ts';
import type { DocStoreClient } from '../../cluster/docstore-types.ts';
import type { RunCommit, StateStore, WatchStateStore } from '../types.ts';
import { BulkWriter, type BulkWriterOptions, type StoreHealth } from './bulk-writer.ts';
import { ClusterKv } from './kv.ts';
import { ClusterWatchLog, validateLogRecord } from './log.ts';
import { indexNames, type IndexNames } from './names.ts';
import { ClusterOutbox, validateEntries } from './outbox.ts';
import { MgetReader } from './reader.ts';
import { ClusterSecurityStore } from './security/index.ts';
import { ensureIndices } from './setup.ts';
import { StateDocs, type StateSource } from './state-docs.ts';

export type { StoreHealth } from './bulk-writer.ts';

export interface ClusterStateStoreOptions {
  /** The document store of the cluster that holds the state. The store closes it on `close()` when `ownsClient`. */
  docs: DocStoreClient;
  ownsClient?: boolean;
  /** Index name prefix, default `vigil` (validated: see names.ts). */
  prefix?: string;
  /** This daemon's name, written into what it writes (`node`). */
  node?: string;
  clock?: Clock;
  logger?: Logger;
  /** Days of execution log kept (whole daily indices), default 30; 0 leaves deletion to ILM/ISM. */
  logRetentionDays?: number;
  /** Days of audit log kept (whole monthly indices), default 365; 0 keeps all. */
  auditRetentionDays?: number;
  /** Extra settings of the execution-log template (an ILM/ISM policy, replicas). */
  logIndexSettings?: Record<string, unknown>;
  /** Write batching and outage behaviour (bulk-writer.ts). */
  writes?: Omit<BulkWriterOptions, 'clock' | 'logger' | 'onHealth'>;
  /** Hears when the store becomes unhealthy (the cluster does not take writes) or full (writers wait), and back. */
  onHealth?: (h: StoreHealth) => void;
  /**
   * Several daemons share this outbox: entries this store creates are claimed by `node` for this long,
   * and `outbox.claims` is there for the deliverer (docs/architecture.md, "Several daemons").
   */
  claimLeaseMs?: number;
  /** Watch states kept in memory, default 100 000. */
  cacheEntries?: number;
  /**
   * Put into the outbox, at open, the deliveries a stopped process decided (default true). Tools that
   * open the store beside running daemons (the CLI) leave that to the daemons: clearing a handoff a
   * daemon is still materialising would move its state's version under it.
   */
  recover?: boolean;
}

export class ClusterStateStore implements StateStore {
  readonly names: IndexNames;
  readonly watchState: WatchStateStore;
  readonly log: ClusterWatchLog;
  readonly outbox: ClusterOutbox;
  readonly kv: ClusterKv;
  readonly security: ClusterSecurityStore;
  readonly #o: ClusterStateStoreOptions;
  readonly #writer: BulkWriter;
  readonly #states: StateDocs;
  #closed = false;

  private constructor(o: ClusterStateStoreOptions) {
    this.#o = o;
    const clock = o.clock ?? systemClock;
    const logger = o.logger ?? silentLogger();
    const ds = o.docs;
    this.names = indexNames(o.prefix);
    this.#writer = new BulkWriter(ds, { ...o.writes, clock, logger, onHealth: o.onHealth });
    const reader = new MgetReader(ds);
    const claimAs = o.claimLeaseMs ? { node: o.node ?? '', leaseMs: o.claimLeaseMs, clock } : undefined;
    this.outbox = new ClusterOutbox(ds, this.names.outbox, this.#writer, reader, claimAs);
    this.#states = new StateDocs({ index: this.names.state, node: o.node ?? '', clock, writer: this.#writer, reader, materialise: this.outbox.materialise, cacheEntries: o.cacheEntries });
    this.log = new ClusterWatchLog({ ds, names: this.names, writer: this.#writer, clock, retentionDays: o.logRetentionDays });
    this.kv = new ClusterKv(this.names.kv, this.#writer, reader, () => clock.now());
    this.security = new ClusterSecurityStore({ ds, names: this.names, writer: this.#writer, reader, clock, auditRetentionDays: o.auditRetentionDays });
    const states = this.#states;
    this.watchState = {
      get: (tenant, id) => states.get(tenant, id),
      put: async (tenant, id, state) => void (await states.write(tenant, id, state)),
      delete: async (tenant, id) => void (await states.write(tenant, id, null)),
      forget: (tenant, id) => states.forget(tenant, id),
      refresh: (tenant, id) => states.refresh(tenant, id),
      activeOverrides: () => this.#activeOverrides(),
    };
  }

  /** Opens the store: indices created or migrated, interrupted work finished (see the file comment). */
  static async open(o: ClusterStateStoreOptions): Promise<ClusterStateStore> {
    const store = new ClusterStateStore(o);
    try {
      await ensureIndices(o.docs, store.names, o.logger ?? silentLogger(), { logIndexSettings: o.logIndexSettings });
      await store.security.finishPending();
      if (o.recover !== false) await store.#recoverHandoffs();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  get health(): StoreHealth {
    return this.#writer.health;
  }

  async #recoverHandoffs(): Promise<number> {
    const { docs } = this.#o;
    await docs.refresh(this.names.state);
    const found: Array<{ tenant: string; watchId: string }> = [];
    for await (const d of docs.scan<StateSource>(this.names.state, { term: { has_handoff: true } }, [{ tenant: 'asc' }, { watch_id: 'asc' }])) found.push({ tenant: d.source.tenant, watchId: d.source.watch_id });
    for (const f of found) await this.#states.recover(f.tenant, f.watchId);
    if (found.length) (this.#o.logger ?? silentLogger()).info({ watches: found.length }, 'deliveries decided before a stop put into the outbox');
    return found.length;
  }

  async #activeOverrides(): Promise<Array<{ tenant: string; watchId: string; active: boolean }>> {
    const { docs } = this.#o;
    await docs.refresh(this.names.state);
    const out: Array<{ tenant: string; watchId: string; active: boolean }> = [];
    const q = { exists: { field: 'active_override' } };
    for await (const d of docs.scan<StateSource>(this.names.state, q, [{ tenant: 'asc' }, { watch_id: 'asc' }])) {
      if (typeof d.source.active_override === 'boolean') out.push({ tenant: d.source.tenant, watchId: d.source.watch_id, active: d.source.active_override });
    }
    return out;
  }

  /**
   * A run's outcome. With a state: one compare-and-set write of the state document carrying the new
   * outbox entries (atomic), then the entries created in the outbox by key; the log record and the
   * delivered marks (facts about what already happened) travel in the same request as the state write.
   * Resolves once the cluster acknowledged all of it.
   */
  async commit(c: RunCommit): Promise<{ enqueued: string[] }> {
    const enqueue = c.enqueue ?? [];
    // Nothing of a commit is written unless all of it can be.
    validateEntries(enqueue);
    if (c.log) validateLogRecord(c.log);
    if (c.claim !== undefined && c.state) {
      // The claim decides whether the run happened at all: its facts are written only once it won.
      const enqueued = await this.#states.write(c.state.tenant, c.state.watchId, c.state.value, enqueue, c.claim);
      await this.#facts(c);
      return { enqueued };
    }
    const facts = this.#factWrites(c);
    const decided = c.state
      ? this.#states.write(c.state.tenant, c.state.watchId, c.state.value, enqueue)
      : this.outbox.enqueueAll(enqueue);
    const [main, ...rest] = await Promise.allSettled([decided, ...facts]);
    for (const r of [main!, ...rest]) if (r.status === 'rejected') throw r.reason;
    return { enqueued: (main as PromiseFulfilledResult<string[]>).value };
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new VigilError('INTERNAL', 'the state store is closed');
    const h = this.#writer.health;
    if (!h.healthy) throw new VigilError('INTERNAL', `the state cluster does not take writes: ${h.error ?? 'unknown error'}`);
    await this.#o.docs.count(this.names.kv);
  }

  #factWrites(c: RunCommit): Array<Promise<void>> {
    const facts: Array<Promise<void>> = [];
    if (c.log) facts.push(this.log.append(c.log));
    for (const d of c.delivered ?? []) facts.push(this.outbox.markDelivered(d.key, d.at, d.attempts));
    return facts;
  }

  async #facts(c: RunCommit): Promise<void> {
    const settled = await Promise.allSettled(this.#factWrites(c));
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
  }

  /** Resolves once the cluster acknowledged every write made so far. */
  durable(): Promise<void> {
    return this.#writer.flushed();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close();
    if (this.#o.ownsClient) await this.#o.docs.close();
  }
}
