/**
 * The outbox on the cluster: one document per notification whose id is its idempotency key, so that
 * `create` is the "insert unless the key exists" of SQLite's outbox. A create answered 409 is told
 * apart from our own earlier attempt (whose answer was lost) by `commit_id`: the same id means this
 * write made it, and it is new; another means an earlier run decided it, and it is not.
 */
import { randomUUID } from 'node:crypto';
import { VigilError } from '../../errors.ts';
import { isVersionConflict, type BulkItem, type DocStoreClient } from '../../cluster/docstore-types.ts';
import type { ClaimedEntry, ClaimOutcome, DeliveryClaim, OutboxClaims, OutboxEntry, OutboxListQuery, OutboxStats, OutboxStore } from '../types.ts';
import type { Clock } from '../../clock.ts';
import type { BulkWriter } from './bulk-writer.ts';
import type { MgetReader } from './reader.ts';
import type { Handoff, NewOutboxEntry } from './state-docs.ts';

interface OutboxSource {
  key: string;
  tenant: string;
  watch_id: string;
  action: string;
  action_type: string;
  account_id: string | null;
  episode_key: string;
  notification: { v: unknown };
  status: OutboxEntry['status'];
  attempts: number;
  created_at: number;
  deadline: number;
  /** Set when the deadline first moves on (absent before, and in documents written before it existed). */
  window_ms?: number;
  next_attempt_at: number;
  last_error: string | null;
  finished_at: number | null;
  seq: number;
  claim: { node: string; until: number } | null;
  commit_id: string;
}

/** Positions within one state write's handoff: `seq` = the write's `_seq_no` × this + position. */
const SEQ_STRIDE = 1024;

function toEntry(s: OutboxSource): OutboxEntry {
  return {
    key: s.key,
    tenant: s.tenant,
    watchId: s.watch_id,
    action: s.action,
    actionType: s.action_type,
    accountId: s.account_id,
    episodeKey: s.episode_key,
    notification: s.notification.v,
    status: s.status,
    attempts: s.attempts,
    createdAt: s.created_at,
    deadline: s.deadline,
    windowMs: windowOf(s),
    nextAttemptAt: s.next_attempt_at,
    lastError: s.last_error,
    finishedAt: s.finished_at,
  };
}

/**
 * Checks entries before anything of their commit is written: a state document must never carry a
 * handoff that cannot be put into the outbox.
 */
export function validateEntries(entries: NewOutboxEntry[]): void {
  entries.forEach((e, i) => {
    const bad = (field: string, error: string) => {
      throw new VigilError('INVALID_REQUEST', `outbox entry [${String(e.key)}]: ${field} ${error}`, { [`enqueue[${i}].${field}`]: [{ error }] });
    };
    if (typeof e.key !== 'string' || e.key.length === 0 || Buffer.byteLength(e.key) > 512) bad('key', 'must be a string of 1 to 512 bytes');
    if (e.notification === undefined) bad('notification', 'is required');
    for (const f of ['createdAt', 'deadline', 'nextAttemptAt'] as const) if (!Number.isFinite(e[f])) bad(f, 'must be a number');
  });
}

/** The entry's retry window as decided: from its first deadline, until that moves. */
const windowOf = (s: OutboxSource): number => s.window_ms ?? s.deadline - s.created_at;

/** The change that moves an entry's deadline on to `deadline` keeping its window; undefined when it is not later. */
function extended(s: OutboxSource, deadline: number): Pick<OutboxSource, 'deadline' | 'window_ms'> | undefined {
  return deadline > s.deadline ? { deadline, window_ms: windowOf(s) } : undefined;
}

function toClaimed(s: OutboxSource): ClaimedEntry {
  return { ...toEntry(s), seq: s.seq, claim: s.claim };
}

function source(e: NewOutboxEntry, commitId: string, seq: number, claim: DeliveryClaim | null): OutboxSource {
  return {
    key: e.key,
    tenant: e.tenant,
    watch_id: e.watchId,
    action: e.action,
    action_type: e.actionType,
    account_id: e.accountId,
    episode_key: e.episodeKey,
    // Wrapped: a notification may be any JSON value, and only objects can be left unparsed by the mapping.
    notification: { v: e.notification },
    status: 'pending',
    attempts: 0,
    created_at: e.createdAt,
    deadline: e.deadline,
    ...(e.windowMs !== undefined ? { window_ms: e.windowMs } : {}),
    next_attempt_at: e.nextAttemptAt,
    last_error: null,
    finished_at: null,
    seq,
    claim,
    commit_id: commitId,
  };
}

/** Several daemons: entries are created claimed by their daemon, for a lease (see OutboxClaims). */
export interface ClaimAs {
  node: string;
  leaseMs: number;
  clock: Clock;
}

/** Pending entries a sweep reads at most per query. */
const CLAIM_PAGE = 1000;

export class ClusterOutbox implements OutboxStore {
  readonly #ds: DocStoreClient;
  readonly #index: string;
  readonly #writer: BulkWriter;
  readonly #reader: MgetReader;
  readonly #claimAs: ClaimAs | undefined;
  readonly claims: OutboxClaims | undefined;

  constructor(ds: DocStoreClient, index: string, writer: BulkWriter, reader: MgetReader, claimAs?: ClaimAs) {
    this.#ds = ds;
    this.#index = index;
    this.#writer = writer;
    this.#reader = reader;
    this.#claimAs = claimAs;
    this.claims = claimAs
      ? {
          claim: (key, node, until, now, deadline) => this.#writer.hold(this.#claim(key, node, until, now, deadline)),
          renew: (keys, node, until) => this.#writer.hold(this.#renew(keys, node, until)),
          heldElsewhere: async (key, node, now) => {
            const s = (await this.#reader.get<OutboxSource>(this.#index, key))?.source;
            return s?.status === 'pending' && s.claim && s.claim.node !== node && s.claim.until >= now ? s.claim : null;
          },
          claimable: (node, now, limit) => this.#search({ bool: { filter: [{ term: { status: 'pending' } }], should: [{ bool: { must_not: [{ exists: { field: 'claim.node' } }] } }, { range: { 'claim.until': { lt: now } } }, { term: { 'claim.node': node } }], minimum_should_match: 1 } }, limit),
          pendingClaims: (limit) => this.#search({ term: { status: 'pending' } }, limit),
          release: (node) => this.#writer.hold(this.#release(node)),
          pendingOf: async (watches) => {
            const ids = [...new Set(watches.map((w) => w.watchId))];
            const entries = await this.#search({ bool: { filter: [{ term: { status: 'pending' } }, { terms: { watch_id: ids } }] } }, CLAIM_PAGE);
            return { entries, complete: entries.length < CLAIM_PAGE };
          },
          pendingBefore: (tenant, watchId, seq) =>
            this.#search({ bool: { filter: [{ term: { status: 'pending' } }, { term: { tenant } }, { term: { watch_id: watchId } }, { range: { seq: { lt: seq } } }] } }, CLAIM_PAGE),
        }
      : undefined;
  }

  async #claim(key: string, node: string, until: number, now: number, deadline?: number): Promise<ClaimOutcome> {
    for (let tries = 0; tries < 5; tries++) {
      const doc = await this.#reader.get<OutboxSource>(this.#index, key);
      if (!doc || doc.source.status !== 'pending') return { ok: false, heldBy: null };
      const held = doc.source.claim;
      if (held && held.node !== node && held.until >= now) return { ok: false, heldBy: held };
      const change = { claim: { node, until }, ...(deadline !== undefined ? extended(doc.source, deadline) : {}) };
      const item = await this.#writer.submit({ op: 'update', index: this.#index, id: key, doc: change, cas: { ifSeqNo: doc.seqNo, ifPrimaryTerm: doc.primaryTerm } });
      if (item.ok) return { ok: true, entry: toClaimed({ ...doc.source, ...change }) };
      if (!isVersionConflict(item.error)) throw item.error;
    }
    // Changing under every try: another daemon is working on it.
    return { ok: false, heldBy: (await this.#reader.get<OutboxSource>(this.#index, key))?.source.claim ?? null };
  }

  async #renew(keys: string[], node: string, until: number): Promise<{ lost: string[]; cancelled: string[] }> {
    const lost: string[] = [];
    const cancelled: string[] = [];
    await Promise.all(keys.map(async (key) => {
      const doc = await this.#reader.get<OutboxSource>(this.#index, key);
      if (doc?.source.status === 'cancelled') cancelled.push(key);
      if (!doc || doc.source.status !== 'pending' || doc.source.claim?.node !== node) return void lost.push(key);
      const item = await this.#writer.submit({ op: 'update', index: this.#index, id: key, doc: { claim: { node, until } }, cas: { ifSeqNo: doc.seqNo, ifPrimaryTerm: doc.primaryTerm } });
      // A conflict is this daemon's own attempt being recorded meanwhile: the next renewal extends it.
      if (!item.ok && !isVersionConflict(item.error)) throw item.error;
    }));
    return { lost, cancelled };
  }

  async #release(node: string): Promise<number> {
    let released = 0;
    for (;;) {
      const page = await this.#search({ bool: { filter: [{ term: { status: 'pending' } }, { term: { 'claim.node': node } }] } }, CLAIM_PAGE);
      // Conditional on the version read: an entry finished or taken meanwhile is left as it is.
      const done = await Promise.all(page.map((e) => this.#change(e.key, (s) => (s.status === 'pending' && s.claim?.node === node ? { claim: null } : null))));
      const changed = done.filter((d) => d !== undefined).length;
      released += changed;
      // A full page may have more behind it; a page where nothing changed would only be read again.
      if (page.length < CLAIM_PAGE || changed === 0) return released;
    }
  }

  async #search(query: Record<string, unknown>, limit: number): Promise<ClaimedEntry[]> {
    await this.#ds.refresh(this.#index);
    const res = await this.#ds.search<OutboxSource>(this.#index, { query, sort: [{ seq: 'asc' }, { key: 'asc' }], size: Math.min(limit, CLAIM_PAGE), track_total_hits: false });
    return res.hits.map((h) => toClaimed(h.source));
  }

  #newClaim(): DeliveryClaim | null {
    const c = this.#claimAs;
    return c ? { node: c.node, until: c.clock.now() + c.leaseMs } : null;
  }

  /** Creates the handoff's entries (idempotent); returns the keys this handoff created. */
  materialise = (h: Handoff, seqNo: number): Promise<string[]> => this.#createAll(h.entries, h.write_id, Math.max(0, seqNo) * SEQ_STRIDE);

  async #createAll(entries: NewOutboxEntry[], commitId: string, seqBase: number): Promise<string[]> {
    const claim = this.#newClaim();
    const docs = entries.map((e, i) => source(e, commitId, seqBase + i, claim));
    const items = await Promise.all(docs.map((d) => this.#writer.submit({ op: 'create', index: this.#index, id: d.key, document: d as never })));
    const fresh: string[] = [];
    for (const [i, item] of items.entries()) {
      if (item.ok) fresh.push(docs[i]!.key);
      else if (!isVersionConflict(item.error)) throw item.error;
      else if ((await this.#reader.get<OutboxSource>(this.#index, docs[i]!.key))?.source.commit_id === commitId) fresh.push(docs[i]!.key);
    }
    return fresh;
  }

  async enqueue(e: NewOutboxEntry): Promise<boolean> {
    return (await this.enqueueAll([e])).length === 1;
  }

  /** Entries decided without a state write: created by key; returns the new ones. */
  async enqueueAll(entries: NewOutboxEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    validateEntries(entries);
    return this.#writer.hold(this.#createAll(entries, randomUUID(), entries[0]!.createdAt * SEQ_STRIDE));
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    const doc = await this.#reader.get<OutboxSource>(this.#index, key);
    return doc && toEntry(doc.source);
  }

  recordAttempt(key: string, error: string | null, nextAttemptAt: number): Promise<void> {
    return this.#writer.hold(this.#recordAttempt(key, error, nextAttemptAt));
  }

  async #recordAttempt(key: string, error: string | null, nextAttemptAt: number): Promise<void> {
    // Pending entries only: one discarded meanwhile (by another daemon's API) keeps the operator's reason.
    await this.#change(key, (s) => (s.status === 'pending' ? { attempts: s.attempts + 1, last_error: error, next_attempt_at: nextAttemptAt } : null));
  }

  extendDeadlines(moves: ReadonlyArray<{ key: string; deadline: number }>): Promise<void> {
    return this.#writer.hold(
      Promise.all(moves.map((m) => this.#change(m.key, (s) => (s.status === 'pending' ? extended(s, m.deadline) ?? null : null)))).then(() => undefined),
    );
  }

  /**
   * Changes one entry as `fn` decides from its current source (null: leave it), conditionally on the
   * version read: no update scripts, since not every cluster allows them. Returns the source the change
   * applied to, or undefined when there was none or `fn` declined.
   */
  async #change(key: string, fn: (s: OutboxSource) => Partial<OutboxSource> | null): Promise<OutboxSource | undefined> {
    for (let tries = 0; tries < 5; tries++) {
      const doc = await this.#reader.get<OutboxSource>(this.#index, key);
      const change = doc && fn(doc.source);
      if (!doc || !change) return undefined;
      const cas = { ifSeqNo: doc.seqNo, ifPrimaryTerm: doc.primaryTerm };
      const item = await this.#writer.submit({ op: 'update', index: this.#index, id: key, doc: change, cas });
      if (item.ok) return doc.source;
      if (!isVersionConflict(item.error)) throw item.error;
    }
    throw new VigilError('CONFLICT', `outbox entry [${key}] keeps changing under this write`);
  }

  async list(q: OutboxListQuery): Promise<OutboxEntry[]> {
    // An API read right after a change must see it.
    await this.#ds.refresh(this.#index);
    const filter: unknown[] = [{ term: { status: q.status } }];
    if (q.tenant !== undefined) filter.push({ term: { tenant: q.tenant } });
    if (q.watchId !== undefined) filter.push({ term: { watch_id: q.watchId } });
    const res = await this.#ds.search<OutboxSource>(this.#index, {
      query: { bool: { filter } },
      sort: q.status === 'pending' ? [{ created_at: 'asc' }, { key: 'asc' }] : [{ finished_at: 'desc' }, { key: 'asc' }],
      from: q.from ?? 0,
      size: q.size ?? 100,
      track_total_hits: false,
    });
    return res.hits.map((h) => toEntry(h.source));
  }

  requeue(key: string, o: { deadline: number; nextAttemptAt: number }): Promise<OutboxEntry | undefined> {
    return this.#writer.hold(
      (async () => {
        // Unclaimed: whichever daemon claims it first sends it (the one that failed it may be gone).
        const change = (s: OutboxSource) => ({ status: 'pending' as const, deadline: o.deadline, window_ms: windowOf(s), next_attempt_at: o.nextAttemptAt, finished_at: null, claim: null });
        const before = await this.#change(key, (s) => (s.status === 'failed' ? change(s) : null));
        return before && toEntry({ ...before, ...change(before) });
      })(),
    );
  }

  cancel(key: string, reason: string, at: number): Promise<OutboxEntry | undefined> {
    return this.#writer.hold(
      (async () => {
        const before = await this.#change(key, (s) => (s.status === 'pending' || s.status === 'failed' ? { status: 'cancelled', last_error: reason, finished_at: at } : null));
        return before && toEntry(before);
      })(),
    );
  }

  async stats(): Promise<OutboxStats> {
    // Near real time is enough for a background figure: no refresh, so it costs the cluster one search.
    const res = await this.#ds.search<OutboxSource>(this.#index, {
      query: { term: { status: 'pending' } },
      sort: [{ created_at: 'asc' }, { key: 'asc' }],
      size: 1,
      track_total_hits: true,
      _source: ['created_at'],
    });
    return { pending: res.total, oldestPendingAt: res.hits[0]?.source.created_at ?? null };
  }

  markDelivered(key: string, at: number, attempts: number): Promise<void> {
    return this.#finish(key, { status: 'delivered', last_error: null, finished_at: at, attempts });
  }

  markFailed(key: string, error: string, at: number, attempts: number): Promise<void> {
    return this.#finish(key, { status: 'failed', last_error: error, finished_at: at, attempts });
  }

  async #finish(key: string, doc: Partial<OutboxSource>): Promise<void> {
    const item: BulkItem = await this.#writer.submit({ op: 'update', index: this.#index, id: key, doc });
    // An entry pruned meanwhile has nothing left to mark.
    if (!item.ok && item.status !== 404) throw item.error;
  }

  async pending(limit = 1000, after?: { createdAt: number; key: string }): Promise<OutboxEntry[]> {
    // A scan must see every entry acknowledged before it, refreshed or not.
    await this.#ds.refresh(this.#index);
    const res = await this.#ds.search<OutboxSource>(this.#index, {
      query: { term: { status: 'pending' } },
      sort: [{ created_at: 'asc' }, { key: 'asc' }],
      size: limit,
      track_total_hits: false,
      ...(after ? { search_after: [after.createdAt, after.key] } : {}),
    });
    return res.hits.map((h) => toEntry(h.source));
  }

  async prune(olderThan: number, limit?: number): Promise<number> {
    const query = { bool: { must_not: [{ term: { status: 'pending' } }], filter: [{ range: { finished_at: { lt: olderThan } } }] } };
    // Deleting by query reads the searchable view: entries finished a moment ago must be in it.
    await this.#ds.refresh(this.#index);
    return this.#ds.deleteByQuery(this.#index, query, limit);
  }
}
