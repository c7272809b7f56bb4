import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { lastScheduledTime, type StateStore } from '../state/types.ts';
import type { Metrics } from '../metrics.ts';
import type { Scheduler, FireInfo } from '../schedule/scheduler.ts';
import { VigilError, type ErrorDetail } from '../errors.ts';
import { compileWatch, type CompiledWatch, type WatchCompileEnv } from '../watches/compile.ts';
import { compileSource, describeErrors, errorSummary, type ExtraCheck } from '../watches/loader.ts';
import { assertWatchRef, watchKey, type Misnamed, type WatchChange, type WatchRead, type WatchRef, type WatchRepository } from '../watches/repository.ts';
import type { WatchRunner, RunOptions } from './runner.ts';
import type { WatchLogRecord, WatchState } from '../state/records.ts';
import type { SavedBy } from '../watches/run-as.ts';
import { requestedWatch } from '../watches/save-request.ts';
import { ackActions, unackActions } from './ack.ts';
import { readLastRan, readOverrides } from './ownership-reads.ts';

export interface LoadedWatch {
  ref: WatchRef;
  /** Where its definition is kept (the file), for messages. */
  location: string;
  /** The version that runs: the last valid one, kept while a later edit is invalid. */
  watch: CompiledWatch | null;
  /** Problems of the definition as the repository holds it now, if any. */
  errors: ErrorDetail | null;
  /** Whether it is scheduled: the definition's `active`, unless the `_active` API overrode it. */
  active?: boolean;
}

export interface WatchServiceOptions {
  /** Where the watch definitions are kept; the service reads and changes them only through it. */
  repository: WatchRepository;
  env: WatchCompileEnv;
  runner: WatchRunner;
  scheduler: Scheduler;
  store: StateStore;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Load-time checks beyond the format, e.g. that referenced accounts exist. */
  extraCheck?: ExtraCheck;
  /** Hears each watch that starts running a (new) version, and each that is removed (null). */
  onWatchChange?: (ref: WatchRef, watch: CompiledWatch | null) => void;
  /** Several daemons sharing the watches: which this one runs. Absent: every watch. */
  ownership?: Ownership;
  /** Runs claim their scheduled time in the state store (RunOptions.claim): set with `ownership`. */
  claimRuns?: boolean;
}

/**
 * Which watches this daemon runs, when several share them (the membership's rendezvous owner).
 * Keys are `tenant/id` (watchKey).
 */
export interface Ownership {
  owns(key: string): boolean;
  /** Calls `fn` whenever the answer may have changed for some keys (the membership changed). */
  onChange(fn: () => void): void;
  /** Told which watches this daemon gained at a change (after they are scheduled). */
  gained?(keys: ReadonlySet<string>): void;
}

const key = (tenant: string, id: string) => watchKey({ tenant, id });

/** loadAll lets the event loop run after compiling this many watches. */
const LOAD_SLICE = 64;

/**
 * The set of watches: loaded from the repository, kept in step with it, scheduled, and operated on by
 * the API. A definition that turns invalid keeps its last valid version running; a deleted one unschedules.
 */
export class WatchService {
  private readonly o: WatchServiceOptions;
  private readonly watches = new Map<string, LoadedWatch>();
  private feed: { close(): void } | null = null;
  /** With ownership: the watches this daemon owned at their last scheduling. */
  private readonly owned = new Set<string>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(o: WatchServiceOptions) {
    this.o = o;
    o.ownership?.onChange(() => void this.rebalance());
  }

  /** How many loaded watches this daemon owns (all of them without ownership). */
  ownedCount(): number {
    return this.o.ownership ? this.owned.size : this.counts().valid;
  }

  /**
   * The membership changed: watches this daemon gained are scheduled (from their stored state, read
   * afresh), those it lost are unscheduled (a run in flight finishes; its claim decides if it counts).
   */
  rebalance(): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      const own = this.o.ownership;
      if (!own) return;
      const changed = [...this.watches].filter(([k, lw]) => lw.watch && own.owns(k) !== this.owned.has(k)).map(([k]) => k);
      const gainedKeys = new Set(changed.filter((k) => !this.owned.has(k)));
      const lost = changed.length - gainedKeys.size;
      if (!changed.length) return;
      // Lost ones at once, with no read (another daemon runs them now; what the API shows of them stays
      // as last worked out here): waiting for the reads below kept them running here meanwhile.
      for (const k of changed) {
        if (gainedKeys.has(k)) continue;
        this.owned.delete(k);
        this.o.scheduler.remove(k);
      }
      if (gainedKeys.size) {
        // Before any of them is scheduled: what they notify from now on waits for the previous owner's.
        own.gained?.(gainedKeys);
        // One query for every override and one batched read of the gained watches' states, not a read
        // per watch: with thousands of watches moving, per-watch reads took longer than the lease.
        const refs = [...gainedKeys].map((k) => this.watches.get(k)?.ref).filter((r): r is WatchRef => r !== undefined);
        const [overrides, lastRan] = await Promise.all([readOverrides(this.o.store, this.o.logger), readLastRan(this.o.store, refs)]);
        let i = 0;
        for (const k of gainedKeys) {
          await this.schedule(k, { overrides, fresh: true, lastRan: lastRan.get(k) });
          if (++i % LOAD_SLICE === 0) await new Promise((r) => setImmediate(r));
        }
      }
      const gained = gainedKeys.size;
      if (gained || lost) this.o.logger.info({ gained, lost, owned: this.owned.size }, 'watch ownership changed');
      this.updateGauges();
    }).catch((e: unknown) => this.o.logger.error({ err: (e as Error).message }, 'watch ownership change failed'));
    return this.rebalancing;
  }

  async loadAll(): Promise<{ valid: number; invalid: number }> {
    const entries = await this.o.repository.list();
    const seen = new Set<string>();
    for (const e of entries) if (e.status !== 'misnamed') seen.add(watchKey(e.ref));
    this.overrides = new Map((await this.o.store.watchState.activeOverrides()).map((o) => [key(o.tenant, o.watchId), o.active]));
    const own = this.o.ownership;
    if (own?.gained) {
      // Watches this daemon takes on with this load: a previous process may have left their deliveries.
      const fresh = new Set(entries.filter((e) => e.status === 'found' && own.owns(watchKey(e.ref)) && !this.owned.has(watchKey(e.ref))).map((e) => watchKey((e as WatchRead).ref)));
      if (fresh.size) own.gained(fresh);
    }
    try {
      for (let i = 0; i < entries.length; i++) {
        await this.apply(entries[i]!, { quiet: true });
        if (i % LOAD_SLICE === LOAD_SLICE - 1) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.overrides = null;
    }
    for (const [k, lw] of this.watches) if (!seen.has(k)) this.forget(k, lw);
    return this.counts();
  }

  /** Starts following the repository's changes. */
  follow(): void {
    this.feed ??= this.o.repository.watch((c) => void this.changed(c));
  }

  /** Re-reads one watch from the repository (created, changed or deleted there). */
  async reload(ref: WatchRef): Promise<void> {
    await this.apply(await this.o.repository.get(ref), {});
  }

  private async changed(c: WatchChange): Promise<void> {
    if (c.status === 'misnamed') return this.apply(c, {});
    return this.reload(c.ref);
  }

  /**
   * Brings one watch in step with what the repository holds. `quiet`: "loaded" lines at debug level (a
   * bulk load logs one summary instead of 10 000 lines).
   */
  private async apply(entry: WatchRead | Misnamed, o: { quiet?: boolean }): Promise<void> {
    if (entry.status === 'misnamed') {
      this.o.logger.error({ file: entry.location }, `watch file ignored: ${entry.problem}`);
      return;
    }
    const { ref } = entry;
    const k = watchKey(ref);
    const current = this.watches.get(k);
    if (entry.status !== 'found') {
      // Deleted, renamed away or unreadable: unschedule.
      if (current) {
        this.forget(k, current);
        const problem = entry.status === 'unreadable' ? { problem: entry.problem } : {};
        this.o.logger.info({ tenant: ref.tenant, watch: ref.id, ...problem }, 'watch file removed: unscheduled');
        this.updateGauges();
      }
      return;
    }
    const { location, text } = entry.source;
    const res = await compileSource(text, ref, this.o.env, this.o.extraCheck);
    if (!res.ok) {
      for (const line of describeErrors(location, res.detail)) this.o.logger.error({ tenant: ref.tenant, watch: ref.id }, line);
      if (current?.watch) this.o.logger.warn({ tenant: ref.tenant, watch: ref.id }, 'the last valid version of this watch keeps running');
      this.watches.set(k, { ref, location, watch: current?.watch ?? null, errors: res.detail });
    } else {
      if (current?.watch?.version === res.watch.version && !current.errors) return;
      this.watches.set(k, { ref, location, watch: res.watch, errors: null });
      this.o.onWatchChange?.(ref, res.watch);
      const by = entry.source.writtenBy ? { written_by: entry.source.writtenBy } : {};
      this.o.logger[o.quiet && !current ? 'debug' : 'info']({ tenant: ref.tenant, watch: ref.id, version: res.watch.version, ...by }, current ? 'watch reloaded' : 'watch loaded');
    }
    await this.schedule(k);
    this.updateGauges();
  }

  list(tenant?: string): LoadedWatch[] {
    return [...this.watches.values()].filter((w) => tenant === undefined || w.ref.tenant === tenant);
  }

  get(tenant: string, id: string): LoadedWatch | undefined {
    return this.watches.get(key(tenant, id));
  }

  /**
   * Validates and stores a watch (the API's PUT), then loads it; an invalid one is refused and nothing is
   * stored. `savedBy`: who saves it through the API; the watch runs as them, and index names it writes
   * without a template must be allowed to them. Without a saver it runs as its tenant's role.
   */
  async put(tenant: string, id: string, body: unknown, savedBy: SavedBy | null = null): Promise<{ created: boolean }> {
    const ref = { tenant, id };
    assertWatchRef(ref);
    const res = compileWatch(requestedWatch(body, savedBy), ref, this.o.env);
    const detail = res.ok ? ((await this.o.extraCheck?.(res.watch)) ?? null) : res.detail;
    if (detail && Object.keys(detail).length) throw new VigilError('INVALID_WATCH', errorSummary(detail), detail);
    const created = !this.watches.get(key(tenant, id))?.watch;
    const source = await this.o.repository.put(ref, body as Record<string, unknown>, savedBy);
    await this.apply({ status: 'found', ref, source }, {});
    return { created };
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    assertWatchRef({ tenant, id });
    const lw = this.watches.get(key(tenant, id));
    if (!lw) return false;
    // Gone already (deleted by hand, not yet noticed) is as good as deleted here.
    await this.o.repository.delete(lw.ref);
    this.forget(key(tenant, id), lw);
    await this.o.store.watchState.delete(tenant, id);
    this.updateGauges();
    return true;
  }

  /** Runs a loaded watch now (API `_execute`). */
  async execute(tenant: string, id: string, opts: Omit<RunOptions, 'fire'>): Promise<WatchLogRecord> {
    const w = this.requireWatch(tenant, id);
    return this.o.runner.run(w, { ...opts, fire: null });
  }

  /**
   * Runs an inline watch body without storing it: checked like a stored watch (accounts, enabled action
   * types, literal index names), never any watch state; its log record only with `recordLog`. It runs as
   * `caller` (who sent it), or without one as its tenant's role. Throws INVALID_WATCH with detail.
   */
  async executeInline(tenant: string, body: unknown, opts: Omit<RunOptions, 'fire' | 'recordState' | 'caller'>, caller: SavedBy | null = null): Promise<WatchLogRecord> {
    const res = compileWatch(requestedWatch(body, caller), { tenant, id: '_inline' }, this.o.env);
    if (!res.ok) throw new VigilError('INVALID_WATCH', errorSummary(res.detail), res.detail);
    const detail = await this.o.extraCheck?.(res.watch);
    if (detail && Object.keys(detail).length) throw new VigilError('INVALID_WATCH', errorSummary(detail), detail);
    return this.o.runner.run(res.watch, { ...opts, fire: null, recordState: false });
  }

  async state(tenant: string, id: string): Promise<WatchState | undefined> {
    this.requireWatch(tenant, id);
    return this.o.store.watchState.get(tenant, id);
  }

  async setActive(tenant: string, id: string, active: boolean): Promise<void> {
    this.requireWatch(tenant, id);
    await this.updateState(tenant, id, (s) => void (s.active_override = active));
    // A bulk load in progress reads overrides from its snapshot: keep the snapshot true.
    this.overrides?.set(key(tenant, id), active);
    await this.schedule(key(tenant, id));
  }

  /**
   * Acks one action or all: allowed only after a positive check, else 412; an action with
   * `ack_enabled: false` gives 400. Returns the acked action names.
   */
  async ack(tenant: string, id: string, action: string | undefined, by: string): Promise<string[]> {
    const w = this.requireWatch(tenant, id);
    await this.fresh(tenant, id);
    const { state, acked } = ackActions(w, await this.o.store.watchState.get(tenant, id), { action, by, at: this.o.clock.now() });
    await this.o.store.watchState.put(tenant, id, state);
    // Receivers that track acknowledgement (PagerDuty) hear about it; a failure there does not undo the ack.
    await this.o.runner.notifyAck(w, acked).catch((e) => this.o.logger.warn({ tenant, watch: id, err: (e as Error).message }, 'ack notification failed'));
    return acked;
  }

  async unack(tenant: string, id: string, action: string | undefined): Promise<string[]> {
    const w = this.requireWatch(tenant, id);
    await this.fresh(tenant, id);
    const { state, unacked } = unackActions(w, await this.o.store.watchState.get(tenant, id), action);
    if (unacked.length) await this.o.store.watchState.put(tenant, id, state);
    return unacked;
  }

  async stop(): Promise<void> {
    this.feed?.close();
    this.feed = null;
  }

  counts(): { valid: number; invalid: number } {
    let valid = 0;
    let invalid = 0;
    for (const w of this.watches.values()) {
      if (w.watch) valid++;
      if (w.errors) invalid++;
    }
    return { valid, invalid };
  }

  private requireWatch(tenant: string, id: string): CompiledWatch {
    assertWatchRef({ tenant, id });
    const w = this.watches.get(key(tenant, id))?.watch;
    if (!w) throw new VigilError('NOT_FOUND', `watch ${tenant}/${id} not found`);
    return w;
  }

  /**
   * Several daemons: an API change of a watch another daemon runs starts from the stored state, which
   * that daemon moves on (this one's copy is its own writes' when it owns the watch).
   */
  private async fresh(tenant: string, id: string): Promise<void> {
    if (this.o.ownership && !this.owned.has(key(tenant, id))) await this.o.store.watchState.refresh?.(tenant, id);
  }

  private async updateState(tenant: string, id: string, fn: (s: WatchState) => void): Promise<void> {
    await this.fresh(tenant, id);
    const s = (await this.o.store.watchState.get(tenant, id)) ?? { actions: {}, last_execution: null, last_status: null, node: '' };
    fn(s);
    await this.o.store.watchState.put(tenant, id, s);
  }

  /** `active_override` of every watch, read once per bulk load instead of one state read per watch. */
  private overrides: Map<string, boolean> | null = null;

  /**
   * Schedules or unschedules one watch. `overrides`: every watch's override, read at once (else this
   * one's is read); `fresh`: its state was just read afresh (a gain at a membership change); `lastRan`:
   * the last scheduled time it ran, by any daemon, so a time missed since then runs at once.
   */
  private async schedule(k: string, o: { overrides?: Map<string, boolean> | null; fresh?: boolean; lastRan?: number | undefined } = {}): Promise<void> {
    const lw = this.watches.get(k);
    const w = lw?.watch;
    if (!w) return void this.o.scheduler.remove(k);
    const own = this.o.ownership;
    const owned = !own || own.owns(k);
    if (own && !owned) this.owned.delete(k);
    if (own && owned && !this.owned.has(k)) {
      // Another daemon may have run it since this one last did: its next run reads the stored state.
      if (!o.fresh) this.o.store.watchState.forget?.(w.tenant, w.id);
      this.owned.add(k);
    }
    // Worked out for a watch another daemon runs too: the API of every daemon shows it active in effect.
    const overrides = o.overrides ?? this.overrides;
    const override = overrides ? overrides.get(k) : (await this.o.store.watchState.get(w.tenant, w.id))?.active_override;
    const active = override ?? w.def.active;
    lw.active = active;
    if (!owned || !active) return void this.o.scheduler.remove(k);
    // The run looks the watch up at fire time, so a reload swaps the definition without resetting timers.
    this.o.scheduler.upsert(k, w.schedule, (fire, releaseSlot) => this.runScheduled(k, fire, releaseSlot), o.lastRan !== undefined ? { lastRan: o.lastRan } : {});
  }

  private async runScheduled(k: string, fire: FireInfo, releaseSlot: () => void): Promise<void> {
    const w = this.watches.get(k)?.watch;
    if (!w) return;
    // Checked again at fire time: a daemon that was paused past its lease no longer owns anything.
    if (this.o.ownership && !this.o.ownership.owns(k)) {
      this.o.logger.debug({ tenant: w.tenant, watch: w.id, scheduled: new Date(fire.scheduledTime).toISOString() }, 'fire dropped: this daemon does not own the watch now');
      return;
    }
    this.o.metrics.triggerLateness.observe(Math.max(0, fire.triggeredTime - fire.scheduledTime) / 1000);
    try {
      // The slot bounds work on the clusters: once the checks are done, the run frees it.
      await this.o.runner.run(w, { fire, onChecksDone: releaseSlot, ...(this.o.claimRuns ? { claim: true } : {}) });
    } catch (e) {
      if (this.o.claimRuns && e instanceof VigilError && e.code === 'CONFLICT' && (await this.unclaimed(k, w, fire))) {
        // Its copy of the state was stale (the previous owner's run of an earlier time wrote meanwhile),
        // yet no daemon ran this time: run it once more from the stored state, else nobody would. The
        // claim keeps it to one run whoever else tries.
        this.o.logger.debug({ tenant: w.tenant, watch: w.id, scheduled: new Date(fire.scheduledTime).toISOString() }, 'run repeated: its state changed under it, its scheduled time is still unclaimed');
        return this.runOnceMore(k, w, fire);
      }
      if (this.o.claimRuns && e instanceof VigilError && e.code === 'CONFLICT') {
        // Another daemon ran this scheduled time (both believed they owned the watch): nothing of this run was written.
        this.o.metrics.runClaimsLost.inc();
        this.o.logger.debug({ tenant: w.tenant, watch: w.id, scheduled: new Date(fire.scheduledTime).toISOString(), reason: e.message }, 'run dropped: its scheduled time was claimed by another run');
        // What another daemon changed (deactivated it, say) applies here from now on.
        await this.schedule(k);
        return;
      }
      // The runner turns watch problems into statuses; reaching here is a bug or a failing state store.
      this.o.logger.error({ tenant: w.tenant, watch: w.id, err: (e as Error).message }, 'watch run crashed');
    }
  }

  /** Is this scheduled time still unclaimed in the stored state, the watch owned here and active? */
  private async unclaimed(k: string, w: CompiledWatch, fire: FireInfo): Promise<boolean> {
    if (this.o.ownership && !this.o.ownership.owns(k)) return false;
    this.o.store.watchState.forget?.(w.tenant, w.id);
    let stored: WatchState | undefined;
    try {
      stored = await this.o.store.watchState.get(w.tenant, w.id);
    } catch {
      return false;
    }
    if (stored?.active_override === false) return false;
    const last = stored && lastScheduledTime(stored);
    return last === undefined || last < fire.scheduledTime;
  }

  private async runOnceMore(k: string, w: CompiledWatch, fire: FireInfo): Promise<void> {
    try {
      await this.o.runner.run(w, { fire, claim: true });
    } catch (e) {
      if (e instanceof VigilError && e.code === 'CONFLICT') {
        this.o.metrics.runClaimsLost.inc();
        this.o.logger.debug({ tenant: w.tenant, watch: w.id, scheduled: new Date(fire.scheduledTime).toISOString(), reason: e.message }, 'run dropped: its scheduled time was claimed by another run');
        await this.schedule(k);
        return;
      }
      this.o.logger.error({ tenant: w.tenant, watch: w.id, err: (e as Error).message }, 'watch run crashed');
    }
  }

  private forget(k: string, lw: LoadedWatch): void {
    this.watches.delete(k);
    this.owned.delete(k);
    this.o.scheduler.remove(k);
    this.o.onWatchChange?.(lw.ref, null);
  }

  private gaugesDue = false;

  /**
   * Counting walks every watch, so counts are coalesced (at most one per 100 ms) instead of one per
   * file: loading files one by one would make start-up quadratic in the number of watches.
   */
  private updateGauges(): void {
    if (this.gaugesDue) return;
    this.gaugesDue = true;
    setTimeout(() => {
      this.gaugesDue = false;
      const { valid, invalid } = this.counts();
      this.o.metrics.watchesLoaded.set(valid);
      this.o.metrics.watchesInvalid.set(invalid);
      this.o.metrics.watchesOwned.set(this.ownedCount());
    }, 100).unref();
  }
}
