import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ActionType, DeliveryResult, RenderedNotification } from '../actions/types.ts';
import type { SearchClient } from '../cluster/types.ts';
import type { HttpClient } from '../net/types.ts';
import type { OutboxEntry, StateStore } from '../state/types.ts';
import type { TypeRegistry } from '../registry/registry.ts';
import type { Metrics } from '../metrics.ts';
import type { HostCheck } from '../net/host-check.ts';
import type { AwsCredentials } from '../net/aws/sigv4.ts';
import { errorMessage, VigilError, type DeliveryFailureCode } from '../errors.ts';
import { lookupFor, openAccount, type OpenedAccount } from '../registry/account-access.ts';
import { deadlineFromNow, nextDelay } from './backoff.ts';
import { Bulkhead } from './bulkhead.ts';
import { Backpressure } from './backpressure.ts';
import { DeliveryControls, type DeliveryControl } from './controls.ts';
import type { AccountSource, DeliveryOutcome } from './types.ts';
import { createChannelAccounts } from './channel-accounts.ts';
import type { SharedOutbox } from './shared-outbox.ts';

export interface DelivererOptions {
  store: StateStore;
  /** The node's action types: an entry of a disabled or unknown type fails saying which. */
  registry: TypeRegistry;
  accounts: AccountSource | null;
  http: HttpClient;
  searchClient(cluster: string): SearchClient;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  perDestinationConcurrency?: number;
  /**
   * Notifications held in memory at most (being sent, waiting for their destination, between retries),
   * all destinations together; at the limit delivery is saturated and the scheduler holds fires back
   * (see backpressure.ts). Default 10 000.
   */
  queueLimit?: number;
  rng?: () => number;
  /** Egress check handed to action types that open their own connections (email). */
  egress: HostCheck;
  /** The daemon's own AWS credentials, for AWS accounts without keys (`DeliverDeps.daemonAwsCredentials`). */
  daemonAwsCredentials?: AwsCredentials | undefined;
  /** Hears how each delivery ended (delivered, failed or cut short by the shutdown): the health model. */
  onOutcome?: (entry: OutboxEntry, outcome: DeliveryOutcome) => void;
  /** An outbox several daemons share: entries are sent under a claim, in order per watch (shared-outbox.ts). */
  shared?: SharedOutbox;
}

/**
 * Sends outbox entries: attempts with exponential backoff until success, a permanent failure or
 * the entry's deadline, recording each attempt durably. An entry is only ever sent after it was committed
 * to the outbox, and it keeps its idempotency key across attempts and restarts.
 */
export class Deliverer {
  private readonly o: DelivererOptions;
  /** Channels and senders a send goes through; absent without an accounts registry. */
  private readonly bulkhead: Bulkhead;
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();
  private readonly abort = new AbortController();
  /** Operators' retry-now and cancel, per delivery in flight. */
  private readonly controls = new DeliveryControls();
  private idleWaiters: Array<() => void> = [];
  /** The backlog limit, and the scheduler's admission: closed while delivery is saturated. */
  readonly pressure: Backpressure;
  /** Where resuming a previous process's pending entries has got to (null: not resuming). */
  private resumeCursor: { createdAt: number; key: string } | null = null;
  /**
   * Only entries created up to the start are resumed; later ones belong to this process's runs, which
   * hand them over themselves (the scheduler starts after the resume begins).
   */
  private resumeBefore = 0;
  private resumed = 0;
  /** Notifications runs have decided to send and are committing: part of the backlog already. */
  private reserved = 0;

  constructor(o: DelivererOptions) {
    this.o = o;
    this.bulkhead = new Bulkhead(o.perDestinationConcurrency ?? 16);
    this.pressure = new Backpressure(o.queueLimit ?? 10_000);
    // Room again: older pending entries first, then the scheduler (it listens too, and resumes a turn later).
    this.pressure.onOpen(() => void this.resumeMore());
    if (o.shared) {
      o.shared.sendNow = (e) => this.claimed(o.shared!, e, true);
      o.shared.onCancelled = (key) => void this.controls.cancel(key);
    }
  }

  /**
   * Several daemons: sends an entry only once this daemon holds its claim (the stored entry's attempts
   * and deadline). The window runs from this claim, and the claim stores the deadline it gives: an entry
   * handed over at a clean stop, taken back after a restart, taken over from a dead daemon or queued
   * behind its watch's earlier entries may come to it late.
   */
  private async claimed(shared: SharedOutbox, entry: OutboxEntry, recordDelivered: boolean): Promise<DeliveryOutcome> {
    const stored = await shared.acquire(entry.key, deadlineFromNow(entry, this.o.clock.now()));
    if (!stored) return { status: 'pending', attempts: entry.attempts, error: 'delivered by another daemon', code: 'ABORTED' };
    try {
      let deadline = stored.deadline;
      // Its watch's earlier entries went first: its window starts after them.
      if (await shared.before(stored)) {
        const later = deadlineFromNow(stored, this.o.clock.now());
        if (later > deadline) {
          deadline = later;
          await this.o.store.outbox.extendDeadlines([{ key: entry.key, deadline }]);
        }
      }
      return await this.loop({ ...entry, attempts: stored.attempts, lastError: stored.lastError, deadline }, recordDelivered);
    } finally {
      shared.release(entry.key);
    }
  }

  /** Several daemons: starts taking over what no live daemon holds (instead of resuming everything pending). */
  startShared(): void {
    this.o.shared?.start({
      deliver: (e) => void this.deliver(e).catch((err: unknown) => this.o.logger.error({ err: errorMessage(err), key: e.key }, 'delivery crashed')),
      delivering: (key) => this.inFlight.has(key),
      room: () => (this.pressure.open ? this.pressure.limit - this.backlog : 0),
    });
  }

  /**
   * Delivers one committed entry; concurrent calls for the same key share one delivery (and the first
   * call's options). With `recordDelivered: false` a success is not written to the outbox: the caller
   * writes it (`RunCommit.delivered`, at the outcome's `at`) in the transaction it commits next anyway —
   * one write fewer per notification. Until then a crash leaves the entry pending and it is sent again
   * on restart, under the same idempotency key, as it would be after a crash just before the mark.
   */
  deliver(entry: OutboxEntry, opts: { recordDelivered?: boolean } = {}): Promise<DeliveryOutcome> {
    const running = this.inFlight.get(entry.key);
    if (running) return running;
    const shared = this.o.shared;
    const record = opts.recordDelivered ?? true;
    const work = shared ? shared.inOrder(entry, () => this.claimed(shared, entry, record)) : this.loop(entry, record);
    const p = work.then((outcome) => {
      this.o.onOutcome?.(entry, outcome);
      return outcome;
    }).finally(() => {
      this.inFlight.delete(entry.key);
      this.pressure.update(this.backlog);
      if (this.inFlight.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    this.inFlight.set(entry.key, p);
    this.pressure.update(this.backlog);
    return p;
  }

  /**
   * Counts `n` notifications a run has decided to send into the backlog before it hands them over:
   * committing them to the outbox takes a while under load, and a backlog that counted them only on
   * arrival let every queued run start before it saw any. Returns the release, called once they are
   * handed over (or dropped); it is idempotent.
   */
  reserve(n: number): () => void {
    if (n <= 0) return () => undefined;
    this.reserved += n;
    this.pressure.update(this.backlog);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= n;
      this.pressure.update(this.backlog);
    };
  }

  /** Notifications held: being delivered (in flight) or reserved by runs committing them. */
  get backlog(): number {
    return this.inFlight.size + this.reserved;
  }

  /**
   * Resumes what a previous process left pending, oldest first, as much as the backlog has room for;
   * the rest is claimed from the outbox as room frees (so a large backlog left by a crash neither
   * fills memory nor is cut off). Each gets its original window again from now (`deadlineFromNow`),
   * stored before it is handed over: a page left with a second of its window, or past it, is still due.
   * Returns how many entries were handed over now.
   */
  async resumePending(): Promise<number> {
    this.resumeBefore = this.o.clock.now();
    this.resumeCursor = { createdAt: -1, key: '' };
    this.resumed = 0;
    return this.resumeMore();
  }

  private resuming = false;

  private async resumeMore(): Promise<number> {
    if (this.resuming || this.resumeCursor === null || this.abort.signal.aborted) return 0;
    this.resuming = true;
    let handed = 0;
    try {
      while (this.resumeCursor !== null && this.pressure.open) {
        const room = this.pressure.limit - this.backlog;
        if (room <= 0) break;
        const page = await this.o.store.outbox.pending(Math.min(room, RESUME_PAGE), this.resumeCursor);
        const now = this.o.clock.now();
        const resumed: OutboxEntry[] = [];
        for (const e of page) {
          this.resumeCursor = { createdAt: e.createdAt, key: e.key };
          if (e.createdAt > this.resumeBefore) {
            this.resumeCursor = null;
            break;
          }
          resumed.push(e);
        }
        const moves: Array<{ key: string; deadline: number }> = [];
        for (const e of resumed) {
          const deadline = deadlineFromNow(e, now);
          if (deadline <= e.deadline) continue;
          e.deadline = deadline;
          moves.push({ key: e.key, deadline });
        }
        // Stored first (one write for the page): the deliveries API shows the deadline applied.
        await this.o.store.outbox.extendDeadlines(moves);
        for (const e of resumed) {
          void this.deliver(e);
          handed++;
        }
        if (page.length === 0) this.resumeCursor = null;
      }
    } finally {
      this.resuming = false;
    }
    this.resumed += handed;
    if (handed) this.o.logger.info({ resumed: handed, resumedTotal: this.resumed, more: this.resumeCursor !== null }, 'resuming pending deliveries');
    return handed;
  }

  /** Waits for in-flight deliveries up to `graceMs`, then aborts the rest (they stay pending for the next start). */
  async stop(graceMs: number): Promise<void> {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const grace = new Promise<void>((resolve) => (timer = this.o.clock.setTimeout(resolve, graceMs)));
    await Promise.race([this.idle(), grace]);
    if (timer !== undefined) this.o.clock.clearTimeout(timer);
    this.abortAll();
    await this.idle();
  }

  /** Resolves once no delivery is in flight, including deliveries started after this call. */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Aborts every delivery in flight, and any started later, at once: attempts are cut short and the
   * entries stay pending in the outbox for the next start (the shutdown's deadline).
   */
  abortAll(): void {
    this.abort.abort();
    this.bulkhead.abortWaiting();
  }

  get pendingCount(): number {
    return this.inFlight.size;
  }

  /**
   * An operator's retry of a pending entry: one waiting between attempts is attempted now. Returns
   * false when the entry is not being delivered by this process (the caller hands it to `deliver`).
   */
  retryNow(key: string): boolean {
    return this.controls.wake(key);
  }

  /**
   * Several daemons: the daemon that holds a pending entry's claim, when it is not this one (an
   * operator's retry of it is that daemon's to make); null when this process may deliver it.
   */
  async heldElsewhere(key: string): Promise<string | null> {
    return (await this.o.shared?.heldElsewhere(key))?.node ?? null;
  }

  /**
   * An operator discarded the entry (the outbox says so already): its delivery, if in flight, makes no
   * further attempt and ends as failed with CANCELLED, recording nothing. Returns whether it was in flight.
   */
  cancel(key: string): boolean {
    return this.controls.cancel(key);
  }

  private async loop(entry: OutboxEntry, recordDelivered: boolean): Promise<DeliveryOutcome> {
    const { store, clock, metrics } = this.o;
    const found = this.o.registry.enabled(entry.actionType);
    // Bound on first use: most deliveries never log, and a pino child per delivery shows in the profile.
    let logger: Logger | undefined;
    const log = () => (logger ??= this.o.logger.child({ tenant: entry.tenant, watch: entry.watchId, action: entry.action, type: entry.actionType }));
    const fail = async (attempts: number, code: DeliveryFailureCode, message: string): Promise<DeliveryOutcome> => {
      await store.outbox.markFailed(entry.key, `${code}: ${message}`, clock.now(), attempts);
      metrics.deliveries.inc({ type: entry.actionType, outcome: 'failed' });
      log().error({ code, attempts }, `delivery failed: ${message}`);
      return { status: 'failed', attempts, error: message, code };
    };
    // An entry enqueued before the operator disabled its type (or by a newer version): say which.
    if (!found.ok) return fail(entry.attempts, found.code, found.message);
    const { type } = found;
    const control = this.controls.open(entry.key);
    try {
      return await this.attempts(entry, type, control, { recordDelivered, log, fail });
    } finally {
      this.controls.close(entry.key, control);
    }
  }

  private async attempts(
    entry: OutboxEntry,
    type: ActionType,
    control: DeliveryControl,
    o: { recordDelivered: boolean; log: () => Logger; fail: (attempts: number, code: DeliveryFailureCode, message: string) => Promise<DeliveryOutcome> },
  ): Promise<DeliveryOutcome> {
    const { store, clock, metrics } = this.o;
    const { recordDelivered, log, fail } = o;
    let attempts = entry.attempts;
    let lastError = entry.lastError;
    for (;;) {
      if (this.abort.signal.aborted) return aborted(attempts);
      if (control.cancelled) return this.cancelled(entry, attempts);
      const sent = await this.attempt(entry, type, attempts + 1, log);
      // The shutdown came while it waited for a slot: no attempt was made.
      if (sent === null) return aborted(attempts);
      // Another daemon took the entry over while this one was paused: it is that daemon's to send.
      if (sent === 'taken') return takenOver(attempts);
      const { result, ms } = sent;
      attempts++;
      if (result.ok) {
        const at = clock.now();
        if (recordDelivered) await store.outbox.markDelivered(entry.key, at, attempts);
        metrics.deliveries.inc({ type: entry.actionType, outcome: 'delivered' });
        // One line per notification, without a child logger (a child per delivery shows in the profile).
        const destination = (entry.notification as RenderedNotification).destination ?? entry.actionType;
        this.o.logger.info(
          { tenant: entry.tenant, watch: entry.watchId, action: entry.action, type: entry.actionType, destination: destinationHost(destination), attempt: attempts, latencyMs: Math.max(0, at - entry.createdAt), sendMs: Math.round(ms) },
          'notification delivered',
        );
        return { status: 'delivered', attempts, at };
      }
      // Cut short by stop(): the entry stays pending for the next start, whatever the deadline says.
      if (this.abort.signal.aborted) return aborted(attempts);
      if (control.cancelled) return this.cancelled(entry, attempts);
      if (!result.retry) return fail(attempts, result.code, result.message);
      const delay = Math.max(nextDelay(attempts, this.o.rng), result.retryAfterMs ?? 0);
      const now = clock.now();
      if (now + delay > entry.deadline) return fail(attempts, 'DEADLINE_EXCEEDED', `gave up after ${attempts} attempts; last error ${result.code}: ${result.message}`);
      const error = `${result.code}: ${result.message}`;
      // Log a retry only when the error changes: a 20-minute outage is one line, not hundreds.
      if (error !== lastError) log().warn({ attempt: attempts, retryInMs: delay }, `delivery attempt failed, will retry: ${error}`);
      lastError = error;
      await store.outbox.recordAttempt(entry.key, error, now + delay);
      await this.sleep(delay, control);
    }
  }

  /** One attempt, once its destination has a free slot, and how long its send took; null when the shutdown came first. */
  private async attempt(entry: OutboxEntry, type: ActionType, attempt: number, log: () => Logger): Promise<{ result: DeliveryResult; ms: number } | null | 'taken'> {
    const n = entry.notification as RenderedNotification;
    const destination = n.destination ?? entry.actionType;
    const shared = this.o.shared;
    const res = await this.bulkhead.run(destination, async () => {
      // Checked with the slot, right before the send: a pause may have come while it waited.
      if (shared && !(await shared.stillHeld(entry.key))) return 'taken' as const;
      const t0 = this.o.clock.monotonic();
      const result = await this.send(entry, n, type, attempt, log);
      const ms = this.o.clock.monotonic() - t0;
      this.o.metrics.deliveryDuration.observe({ type: entry.actionType, outcome: result.ok ? 'success' : 'failure' }, ms / 1000);
      return { result, ms };
    });
    return res === 'aborted' ? null : res;
  }

  /** An operator discarded the entry while it was being delivered: the outbox says so already. */
  private cancelled(entry: OutboxEntry, attempts: number): DeliveryOutcome {
    this.o.metrics.deliveries.inc({ type: entry.actionType, outcome: 'cancelled' });
    return { status: 'failed', attempts, error: 'discarded by an operator before it was delivered', code: 'CANCELLED' };
  }

  private async send(entry: OutboxEntry, n: RenderedNotification, type: ActionType, attempt: number, log: () => Logger): Promise<DeliveryResult> {
    this.o.metrics.deliveryAttempts.inc({ type: entry.actionType });
    // Decrypted only now, with a slot: never held while the delivery waits its turn.
    let opened: OpenedAccount | undefined;
    if (entry.accountId) {
      try {
        if (!this.o.accounts) throw new VigilError('ACCOUNT_NOT_FOUND', 'no accounts registry is configured');
        // Held to the account's own destination while its secrets are attached; the tenant again at each
        // send: an account taken away from a tenant since the watch loaded stays away.
        opened = await openAccount(this.o.registry, this.o.accounts, type, entry.accountId, this.o.http, { tenant: entry.tenant });
      } catch (e) {
        const code = e instanceof VigilError ? e.code : 'ACCOUNT_ERROR';
        return { ok: false, retry: false, code, message: errorMessage(e) };
      }
    }
    return type
      .deliver(n, {
        account: opened?.account,
        accountId: entry.accountId ?? undefined,
        accountType: opened?.accountType,
        lookupAccount: lookupFor(this.o.registry, this.o.accounts, type, { tenant: entry.tenant }),
        idempotencyKey: entry.key,
        episodeKey: entry.episodeKey,
        http: opened?.http ?? this.o.http,
        plainHttp: this.o.http,
        searchClient: this.o.searchClient,
        clock: this.o.clock,
        // The delivery's own lazily bound logger: no child per attempt unless the type logs.
        get logger() {
          return log();
        },
        signal: this.abort.signal,
        attempt,
        egress: this.o.egress,
        daemonAwsCredentials: this.o.daemonAwsCredentials,
        // Channels and an e-mail channel's sender and groups: opened like the action's own account, for the same tenant.
        ...(this.o.accounts ? { channels: createChannelAccounts({ registry: this.o.registry, accounts: this.o.accounts, http: this.o.http, tenant: entry.tenant }) } : {}),
      })
      .catch((e): DeliveryResult => ({ ok: false, retry: false, code: 'INTERNAL', message: errorMessage(e) }));
  }

  /** Per destination: deliveries being sent and waiting for a slot (the overload report names the busiest). */
  destinations(): Record<string, { active: number; queued: number }> {
    return this.bulkhead.stats();
  }

  /** Waits `ms` between attempts; the shutdown and an operator's retry or cancel end the wait early. */
  private sleep(ms: number, control: DeliveryControl): Promise<void> {
    // An attempt cut short by stop() comes back here after the abort: 'abort' will not fire again.
    if (this.abort.signal.aborted || control.cancelled) return Promise.resolve();
    if (control.retryAsked) {
      control.retryAsked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        this.o.clock.clearTimeout(t);
        // The listener goes with the sleep: left on the daemon-long signal, every retry would add one for good.
        signal.removeEventListener('abort', done);
        control.wake = null;
        resolve();
      };
      const t = this.o.clock.setTimeout(done, ms);
      control.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Pending entries read from the outbox per query while resuming. */
const RESUME_PAGE = 1_000;

/**
 * The host of a destination key that carries a URL (`webhook:https://hooks.example.com`), for the
 * delivered line; other keys (`pagerduty`, `jira:OPS`) as they are. Keys never carry a path or secret.
 */
export function destinationHost(destination: string): string {
  const colon = destination.indexOf(':');
  if (colon < 0) return destination;
  try {
    return new URL(destination.slice(colon + 1)).host || destination;
  } catch {
    return destination;
  }
}

/** Several daemons: another daemon holds the entry now (this one stalled past its claim); nothing is recorded here. */
function takenOver(attempts: number): DeliveryOutcome {
  return { status: 'pending', attempts, error: 'taken over by another daemon', code: 'ABORTED' };
}

/** The shutdown cut a delivery short: nothing is recorded, the entry stays pending for the next start. */
function aborted(attempts: number): DeliveryOutcome {
  return { status: 'pending', attempts, error: 'delivery interrupted by the shutdown; it is sent after the next start', code: 'ABORTED' };
}
