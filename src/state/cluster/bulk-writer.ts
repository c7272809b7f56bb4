/**
 * Batches the cluster backend's writes: the group commit's equivalent. Operations submitted within the
 * batching window share one `_bulk` request (`paceMs`, or sooner when `maxBatch` are waiting), and
 * each resolves with its own item's result once the cluster has acknowledged it. So a thousand runs a
 * second are a few dozen requests a second, not thousands.
 *
 * When the cluster cannot take the request (unreachable, 5xx, 429) or an item is rejected for a reason
 * that passes (429 `es_rejected_execution_exception`, 503), the operations go back to the head of the
 * queue, in order, and are sent again after a backoff: nothing is dropped and no later write of the
 * same document overtakes an earlier one. Meanwhile the writer reports itself unhealthy, and full when
 * `maxQueued` operations wait: callers then wait for room (the scheduler is told, to hold fires back).
 * One request is in flight at a time, which keeps that order simple and the cluster's load bounded.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import { VigilError } from '../../errors.ts';
import type { BulkItem, BulkOp, DocStoreClient } from '../../cluster/docstore-types.ts';
import { ClusterError } from '../../cluster/types.ts';

/** What the app hears about the store's link to the cluster. */
export interface StoreHealth {
  /** False from a failed request until one succeeds. */
  healthy: boolean;
  /** True while `maxQueued` operations wait: writers wait for room; the scheduler should hold fires back. */
  full: boolean;
  /** Operations waiting to be sent (in flight included). */
  queued: number;
  /** Why it is unhealthy (no credential: ClusterError messages are scrubbed). */
  error?: string;
}

export interface BulkWriterOptions {
  /**
   * The least time between two requests, default 50 ms (as SQLite's group commit): the batching window
   * under load; a quiet store sends on the next turn. Most of the cost of a write is the request it
   * travels in (the client's transport, the socket), so a longer window trades latency for CPU.
   */
  paceMs?: number;
  /** Operations per request at most, default 1 000. */
  maxBatch?: number;
  /** Operations held in memory at most (queued and in flight), default 10 000. */
  maxQueued?: number;
  /** Retry backoff, doubling from `initialMs` (default 100) up to `maxMs` (default 5 000); waits go through the clock. */
  backoff?: { initialMs?: number; maxMs?: number };
  clock: Clock;
  logger: Logger;
  onHealth?: (h: StoreHealth) => void;
}

interface Job {
  op: BulkOp;
  resolve: (item: BulkItem) => void;
  reject: (e: unknown) => void;
}

const passing = (status: number) => status === 429 || status >= 500 || status === 0;

export class BulkWriter {
  readonly #ds: DocStoreClient;
  readonly #o: Required<Omit<BulkWriterOptions, 'onHealth' | 'backoff'>> & { initialMs: number; maxMs: number; onHealth?: (h: StoreHealth) => void };
  #queue: Job[] = [];
  #inFlight = 0;
  /** Operations waiting for room in the queue, oldest first. */
  #waiting: Job[] = [];
  #pending = new Set<Promise<unknown>>();
  #scheduled = false;
  #sending = false;
  #retryTimer: TimerHandle | undefined;
  #delay = 0;
  #lastSent = -Infinity;
  #healthy = true;
  #full = false;
  #error: string | undefined;
  #closed = false;

  constructor(ds: DocStoreClient, o: BulkWriterOptions) {
    this.#ds = ds;
    this.#o = {
      paceMs: o.paceMs ?? 50,
      maxBatch: o.maxBatch ?? 1000,
      maxQueued: o.maxQueued ?? 10_000,
      initialMs: o.backoff?.initialMs ?? 100,
      maxMs: o.backoff?.maxMs ?? 5000,
      clock: o.clock,
      logger: o.logger,
      onHealth: o.onHealth,
    };
  }

  get health(): StoreHealth {
    return { healthy: this.#healthy, full: this.#full, queued: this.#held(), ...(this.#error ? { error: this.#error } : {}) };
  }

  /** Queues one operation; resolves with its item (successful or not) once the cluster answered for it. */
  submit(op: BulkOp): Promise<BulkItem> {
    if (this.#closed) return Promise.reject(new VigilError('INTERNAL', 'the cluster state store is closed'));
    const p = new Promise<BulkItem>((resolve, reject) => {
      const job = { op, resolve, reject };
      if (this.#waiting.length === 0 && this.#held() < this.#o.maxQueued) this.#enqueue(job);
      else this.#waiting.push(job);
      this.#report();
    });
    return this.hold(p);
  }

  /**
   * Counts a write that takes several steps (a read, then a write that depends on it) as pending from
   * now, so that `flushed()` waits for its later steps too. Returns the same promise.
   */
  hold<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    const forget = () => this.#pending.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Resolves once every write submitted (or held) before the call has been answered (acknowledged or failed). */
  async flushed(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  /** Sends what is queued unless the cluster is failing; operations still waiting then are rejected (never acknowledged). */
  async close(): Promise<void> {
    if (!this.#healthy) this.#abandon();
    this.#closed = true;
    await this.flushed();
  }

  #abandon(): void {
    if (this.#retryTimer !== undefined) this.#o.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const err = new VigilError('INTERNAL', 'the cluster state store closed before the cluster acknowledged this write');
    for (const j of [...this.#queue.splice(0), ...this.#waiting.splice(0)]) j.reject(err);
  }

  #held(): number {
    return this.#queue.length + this.#inFlight;
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.#schedule();
  }

  /** Tells the app when the queue fills up or has room again. */
  #report(): void {
    const full = this.#held() >= this.#o.maxQueued || this.#waiting.length > 0;
    if (full === this.#full) return;
    this.#full = full;
    this.#o.onHealth?.(this.health);
  }

  #setHealthy(healthy: boolean, error?: string): void {
    if (this.#healthy === healthy && this.#error === error) return;
    this.#healthy = healthy;
    this.#error = error;
    this.#o.onHealth?.(this.health);
  }

  #schedule(): void {
    if (this.#scheduled || this.#sending || this.#retryTimer !== undefined || this.#queue.length === 0) return;
    this.#scheduled = true;
    const wait = this.#queue.length >= this.#o.maxBatch ? 0 : this.#lastSent + this.#o.paceMs - performance.now();
    // setImmediate: after this turn's callbacks, so every write they make joins the request. The pace
    // is a real-time batching window, not a behaviour tests wait for; backoff waits use the clock.
    if (wait > 0) setTimeout(() => this.#send(), wait);
    else setImmediate(() => this.#send());
  }

  async #send(): Promise<void> {
    this.#scheduled = false;
    if (this.#sending || this.#queue.length === 0) return;
    this.#sending = true;
    this.#lastSent = performance.now();
    const jobs = this.#queue.splice(0, this.#o.maxBatch);
    this.#inFlight = jobs.length;
    let retry: Job[] = [];
    let failure: ClusterError | undefined;
    try {
      const items = await this.#ds.bulk(jobs.map((j) => j.op));
      items.forEach((item, i) => {
        const job = jobs[i]!;
        if (!item.ok && passing(item.status)) (retry.push(job), (failure ??= item.error));
        else job.resolve(item);
      });
    } catch (e) {
      const err = e instanceof ClusterError ? e : new ClusterError(String((e as Error)?.message ?? e), { retryable: false });
      if (err.retryable) (retry = jobs), (failure = err);
      else for (const j of jobs) j.reject(err);
    }
    this.#inFlight = 0;
    this.#sending = false;
    if (retry.length) {
      this.#queue.unshift(...retry);
      this.#backoff(failure!);
    } else {
      this.#delay = 0;
      this.#setHealthy(true);
    }
    this.#release();
    this.#report();
    this.#schedule();
  }

  #backoff(err: ClusterError): void {
    if (this.#closed) return this.#abandon();
    this.#delay = Math.min(this.#o.maxMs, this.#delay ? this.#delay * 2 : this.#o.initialMs);
    if (this.#healthy) this.#o.logger.warn({ err: err.message, queued: this.#queue.length }, 'cluster state store: writes are held until the cluster answers');
    this.#setHealthy(false, err.message);
    this.#retryTimer = this.#o.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#schedule();
    }, this.#delay);
  }

  #release(): void {
    while (this.#waiting.length && this.#held() < this.#o.maxQueued) this.#queue.push(this.#waiting.shift()!);
  }
}
