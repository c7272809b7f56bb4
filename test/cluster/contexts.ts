/**
 * Search contexts that outlive a request: points in time and scrolls. Each holds the refreshed views
 * of its indices as they were when it was opened (a view held by a context is replaced at the next
 * refresh, never changed, so holding one is a snapshot), and expires `keep_alive` after its last use, measured on the store's
 * clock. They live in memory only: a restarted node has none, as a real one has none.
 */
import type { Clock } from '../../src/clock.ts';
import type { IndexData, StoredDoc } from './store.ts';
import { httpError, illegalArgument, searchContextMissing } from './errors.ts';
import { parseTimeValue } from './settings.ts';

/** One index of a snapshot, with its shard ordinal. */
export interface SnapshotPart {
  index: IndexData;
  docs: ReadonlyMap<string, StoredDoc>;
  shard: number;
}

export interface PitContext {
  kind: 'pit';
  parts: SnapshotPart[];
  keepAliveMs: number;
  expiresAt: number;
  created: number;
}

export interface ScrollContext {
  kind: 'scroll';
  /** The matching documents in sort order, and how far the client has read. */
  hits: Array<{ part: SnapshotPart; doc: StoredDoc; sort: unknown[] }>;
  next: number;
  size: number;
  /** How many shards the search read (for `_shards`). */
  shards: number;
  body: Record<string, unknown>;
  keepAliveMs: number;
  expiresAt: number;
}

type Context = PitContext | ScrollContext;

/** The largest keep_alive a node accepts by default (`search.max_keep_alive`). */
const MAX_KEEP_ALIVE_MS = 86_400_000;

/**
 * The refreshed views of `indices`; `keep` when a context holds them beyond the request (a point in
 * time, a scroll), so that later refreshes leave them as they are.
 */
export function snapshotOf(indices: IndexData[], keep = false): SnapshotPart[] {
  return indices.map((index, shard) => ({ index, docs: keep ? index.pinView() : index.searchable, shard }));
}

export class SearchContexts {
  readonly #clock: Clock;
  readonly #contexts = new Map<number, Context>();
  #next = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many contexts are held (expired ones included until they are next looked at). */
  get size(): number {
    return this.#contexts.size;
  }

  /** Parses a keep_alive as the real node does, refusing one above `search.max_keep_alive`. */
  static keepAlive(text: string | undefined | null, what = 'keep_alive'): number {
    if (text === undefined || text === null) throw illegalArgument(`[${what}] is not specified`);
    const ms = parseTimeValue(String(text), what);
    if (ms > MAX_KEEP_ALIVE_MS) {
      throw illegalArgument(`Keep alive for request (${text}) is too large. It must be less than (1d). This limit can be set by changing the [search.max_keep_alive] cluster level setting.`);
    }
    return ms;
  }

  openPit(parts: SnapshotPart[], keepAliveMs: number): { id: string; pit: PitContext } {
    const pit: PitContext = { kind: 'pit', parts, keepAliveMs, expiresAt: this.#clock.monotonic() + keepAliveMs, created: this.#clock.now() };
    return { id: this.#add(pit), pit };
  }

  openScroll(ctx: Omit<ScrollContext, 'kind' | 'expiresAt'>): string {
    return this.#add({ kind: 'scroll', ...ctx, expiresAt: this.#clock.monotonic() + ctx.keepAliveMs });
  }

  /** The live context an id names, its keep-alive extended; 404 search_context_missing_exception when expired or freed. */
  pit(id: string, keepAliveMs?: number): PitContext {
    return this.#use(id, 'pit', keepAliveMs) as PitContext;
  }

  scroll(id: string, keepAliveMs?: number): ScrollContext {
    return this.#use(id, 'scroll', keepAliveMs) as ScrollContext;
  }

  /** Frees a context; false when it did not exist (or had expired). */
  free(id: string, kind: Context['kind']): boolean {
    const n = this.#decode(id, kind);
    const c = this.#live(n);
    if (!c || c.kind !== kind) return false;
    this.#contexts.delete(n);
    return true;
  }

  /** Frees every context of a kind; how many there were. */
  freeAll(kind: Context['kind']): number {
    let freed = 0;
    for (const [n, c] of [...this.#contexts]) {
      if (c.kind === kind && this.#live(n)) {
        this.#contexts.delete(n);
        freed++;
      }
    }
    return freed;
  }

  #add(c: Context): string {
    // Contexts nobody frees expire unseen; forget those before holding another snapshot.
    for (const k of [...this.#contexts.keys()]) this.#live(k);
    const n = this.#next++;
    this.#contexts.set(n, c);
    return Buffer.from(`vigil-test:${c.kind}:${n}`).toString('base64url');
  }

  #decode(id: string, kind: Context['kind']): number {
    const m = /^vigil-test:(pit|scroll):(\d+)$/.exec(Buffer.from(id, 'base64url').toString('utf8'));
    if (!m || m[1] !== kind) {
      throw kind === 'scroll' ? illegalArgument('Cannot parse scroll id') : httpError(400, 'illegal_argument_exception', 'invalid id');
    }
    return Number(m[2]);
  }

  #live(n: number): Context | undefined {
    const c = this.#contexts.get(n);
    if (c && c.expiresAt <= this.#clock.monotonic()) {
      this.#contexts.delete(n);
      return undefined;
    }
    return c;
  }

  #use(id: string, kind: Context['kind'], keepAliveMs: number | undefined): Context {
    const n = this.#decode(id, kind);
    const c = this.#live(n);
    if (!c || c.kind !== kind) throw searchContextMissing(String(n));
    if (keepAliveMs !== undefined) c.keepAliveMs = keepAliveMs;
    c.expiresAt = this.#clock.monotonic() + c.keepAliveMs;
    return c;
  }
}
