import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { CompileEnv } from '../checks/types.ts';
import type { StateStore } from '../state/types.ts';
import type { Metrics } from '../metrics.ts';
import type { Scheduler, FireInfo } from '../schedule/scheduler.ts';
import { VigilError, type ErrorDetail } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { compileWatch, type CompiledWatch } from '../watches/compile.ts';
import { ID_PATTERN } from '../watches/schema.ts';
import { describeErrors, errorSummary, listWatchFiles, loadWatchFile, refForFile, watchFolder, type WatchFileRef } from '../watches/loader.ts';
import type { WatchRunner, RunOptions } from './runner.ts';
import type { WatchLogRecord, WatchState } from '../state/records.ts';

export interface LoadedWatch {
  ref: WatchFileRef;
  /** The version that runs: the last valid one, kept while a later edit is invalid. */
  watch: CompiledWatch | null;
  /** Problems of the file as it is now on disk, if any. */
  errors: ErrorDetail | null;
}

export interface WatchServiceOptions {
  watchesDir: string;
  env: CompileEnv;
  runner: WatchRunner;
  scheduler: Scheduler;
  store: StateStore;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Load-time checks beyond the format, e.g. that referenced accounts exist. */
  extraCheck?: (w: CompiledWatch) => Promise<ErrorDetail | null>;
  debounceMs?: number;
}

const key = (tenant: string, id: string) => `${tenant}/${id}`;

/** loadAll lets the event loop run after this many files (their reads are synchronous). */
const LOAD_SLICE = 64;

/**
 * The set of watches: loaded from files, kept in step with them, scheduled, and operated on by the API.
 * A file that turns invalid keeps its last valid version running; a deleted file unschedules.
 */
export class WatchService {
  private readonly o: WatchServiceOptions;
  private readonly watches = new Map<string, LoadedWatch>();
  private folder: { close(): void } | null = null;

  constructor(o: WatchServiceOptions) {
    this.o = o;
  }

  async loadAll(): Promise<{ valid: number; invalid: number }> {
    const files = await listWatchFiles(this.o.watchesDir);
    const seen = new Set<string>();
    // Each file's ref once: path.relative is a visible share of loading many thousands of files.
    const refs = files.map((file) => refForFile(this.o.watchesDir, file));
    for (const ref of refs) if (ref && 'id' in ref) seen.add(key(ref.tenant, ref.id));
    // Small files read synchronously (promise reads cost four thread-pool round trips each, most of a
    // large fleet's start-up), in slices so a reload of a running daemon lets runs proceed.
    this.overrides = new Map((await this.o.store.watchState.activeOverrides()).map((o) => [key(o.tenant, o.watchId), o.active]));
    try {
      for (let i = 0; i < files.length; i++) {
        await this.reloadRef(files[i]!, refs[i]!, { sync: true, quiet: true });
        if (i % LOAD_SLICE === LOAD_SLICE - 1) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.overrides = null;
    }
    for (const [k, lw] of this.watches) if (!seen.has(k)) this.forget(k, lw);
    return this.counts();
  }

  /** Starts following the folder for changes. */
  follow(): void {
    this.folder ??= watchFolder(this.o.watchesDir, this.o.debounceMs ?? 100, (f) => void this.reloadFile(f), this.o.logger);
  }

  /**
   * Re-reads one file (created, changed or deleted). `sync`: read it with a blocking call (bulk loads);
   * `quiet`: "loaded" lines at debug level (a bulk load logs one summary instead of 10 000 lines).
   */
  async reloadFile(file: string, o: { sync?: boolean; quiet?: boolean } = {}): Promise<void> {
    return this.reloadRef(file, refForFile(this.o.watchesDir, file), o);
  }

  private async reloadRef(file: string, ref: ReturnType<typeof refForFile>, o: { sync?: boolean; quiet?: boolean }): Promise<void> {
    if (ref === null) return;
    if ('invalid' in ref) {
      this.o.logger.error({ file }, `watch file ignored: ${ref.invalid}`);
      return;
    }
    const k = key(ref.tenant, ref.id);
    const res = await loadWatchFile(ref, this.o.env, this.o.extraCheck, o.sync);
    const current = this.watches.get(k);
    if (!res.ok) {
      if (res.detail['_']?.[0]?.error.startsWith('cannot read file')) {
        // Deleted (or renamed away): unschedule.
        if (current) {
          this.forget(k, current);
          this.o.logger.info({ tenant: ref.tenant, watch: ref.id }, 'watch file removed: unscheduled');
          this.updateGauges();
        }
        return;
      }
      for (const line of describeErrors(file, res.detail)) this.o.logger.error({ tenant: ref.tenant, watch: ref.id }, line);
      if (current?.watch) this.o.logger.warn({ tenant: ref.tenant, watch: ref.id }, 'the last valid version of this watch keeps running');
      this.watches.set(k, { ref, watch: current?.watch ?? null, errors: res.detail });
    } else {
      if (current?.watch?.version === res.watch.version && !current.errors) return;
      this.watches.set(k, { ref, watch: res.watch, errors: null });
      this.o.logger[o.quiet && !current ? 'debug' : 'info']({ tenant: ref.tenant, watch: ref.id, version: res.watch.version }, current ? 'watch reloaded' : 'watch loaded');
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

  /** Validates and writes a watch file (the API's PUT); the file watcher or this call loads it. */
  async put(tenant: string, id: string, body: unknown): Promise<{ created: boolean }> {
    assertIds(tenant, id);
    const res = compileWatch(body, { tenant, id }, this.o.env);
    const detail = res.ok ? ((await this.o.extraCheck?.(res.watch)) ?? null) : res.detail;
    if (detail && Object.keys(detail).length) throw new VigilError('INVALID_WATCH', errorSummary(detail), detail);
    const dir = tenant === '_main' ? this.o.watchesDir : join(this.o.watchesDir, tenant);
    await mkdir(dir, { recursive: true });
    const created = !this.watches.get(key(tenant, id))?.watch;
    await writeFileAtomic(dir, `${id}.json`, JSON.stringify(body, null, 2) + '\n');
    await this.reloadFile(join(dir, `${id}.json`));
    return { created };
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    assertIds(tenant, id);
    const lw = this.watches.get(key(tenant, id));
    if (!lw) return false;
    await unlink(lw.ref.file).catch((e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    });
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
   * types), never any watch state; its log record only with `recordLog`. Throws INVALID_WATCH with detail.
   */
  async executeInline(tenant: string, body: unknown, opts: Omit<RunOptions, 'fire' | 'recordState'>): Promise<WatchLogRecord> {
    const res = compileWatch(body, { tenant, id: '_inline' }, this.o.env);
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
    const targets = action ? w.actions.filter((a) => a.def.name === action) : w.actions.filter((a) => a.def.ack_enabled);
    if (action && !targets.length) throw new VigilError('NOT_FOUND', `watch ${tenant}/${id} has no action '${action}'`);
    if (action && !targets[0]!.def.ack_enabled) throw new VigilError('INVALID_REQUEST', `action '${action}' does not allow acknowledgement (ack_enabled: false)`);
    const acked: string[] = [];
    await this.updateState(tenant, id, (s) => {
      for (const a of targets) {
        const st = s.actions[a.def.name];
        if (st?.last_check_result !== true) continue;
        st.acked = { on: new Date(this.o.clock.now()).toISOString(), by };
        acked.push(a.def.name);
      }
    });
    if (!acked.length) {
      throw new VigilError('PRECONDITION_FAILED', action ? `action '${action}' cannot be acknowledged: its last check was not positive` : 'no action can be acknowledged: no positive check');
    }
    // Receivers that track acknowledgement (PagerDuty) hear about it; a failure there does not undo the ack.
    await this.o.runner.notifyAck(w, acked).catch((e) => this.o.logger.warn({ tenant, watch: id, err: (e as Error).message }, 'ack notification failed'));
    return acked;
  }

  async unack(tenant: string, id: string, action: string | undefined): Promise<string[]> {
    const w = this.requireWatch(tenant, id);
    const names = action ? [action] : w.actions.map((a) => a.def.name);
    const done: string[] = [];
    await this.updateState(tenant, id, (s) => {
      for (const n of names) if (s.actions[n]?.acked) (s.actions[n]!.acked = null), done.push(n);
    });
    return done;
  }

  async stop(): Promise<void> {
    this.folder?.close();
    this.folder = null;
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
    assertIds(tenant, id);
    const w = this.watches.get(key(tenant, id))?.watch;
    if (!w) throw new VigilError('NOT_FOUND', `watch ${tenant}/${id} not found`);
    return w;
  }

  private async updateState(tenant: string, id: string, fn: (s: WatchState) => void): Promise<void> {
    const s = (await this.o.store.watchState.get(tenant, id)) ?? { actions: {}, last_execution: null, last_status: null, node: '' };
    fn(s);
    await this.o.store.watchState.put(tenant, id, s);
  }

  /** `active_override` of every watch, read once per bulk load instead of one state read per watch. */
  private overrides: Map<string, boolean> | null = null;

  private async schedule(k: string): Promise<void> {
    const lw = this.watches.get(k);
    const w = lw?.watch;
    if (!w) return void this.o.scheduler.remove(k);
    const override = this.overrides ? this.overrides.get(k) : (await this.o.store.watchState.get(w.tenant, w.id))?.active_override;
    const active = override ?? w.def.active;
    if (!active) return void this.o.scheduler.remove(k);
    // The run looks the watch up at fire time, so a reload swaps the definition without resetting timers.
    this.o.scheduler.upsert(k, w.schedule, (fire, releaseSlot) => this.runScheduled(k, fire, releaseSlot));
  }

  private async runScheduled(k: string, fire: FireInfo, releaseSlot: () => void): Promise<void> {
    const w = this.watches.get(k)?.watch;
    if (!w) return;
    this.o.metrics.triggerLateness.observe(Math.max(0, fire.triggeredTime - fire.scheduledTime) / 1000);
    try {
      // The slot bounds work on the clusters: once the checks are done, the run frees it.
      await this.o.runner.run(w, { fire, onChecksDone: releaseSlot });
    } catch (e) {
      // The runner turns watch problems into statuses; reaching here is a bug or a failing state store.
      this.o.logger.error({ tenant: w.tenant, watch: w.id, err: (e as Error).message }, 'watch run crashed');
    }
  }

  private forget(k: string, _lw: LoadedWatch): void {
    this.watches.delete(k);
    this.o.scheduler.remove(k);
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
    }, 100).unref();
  }
}

function assertIds(tenant: string, id: string): void {
  if (!ID_PATTERN.test(tenant)) throw new VigilError('INVALID_ID', 'invalid tenant: tenant names are [A-Za-z0-9_-]{1,128}');
  if (!ID_PATTERN.test(id)) throw new VigilError('INVALID_ID', 'invalid watch id: watch ids are [A-Za-z0-9_-]{1,128}');
}
