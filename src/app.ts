import { readdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.ts';
import { createLogger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { VigilConfig } from './config/schema.ts';
import { SqliteStateStore } from './state/sqlite.ts';
import { ClusterRegistry } from './cluster/index.ts';
import type { ClusterConfig, SearchClient } from './cluster/types.ts';
import { createEgressPolicy } from './net/egress.ts';
import { createHttpClient } from './net/http.ts';
import { createHostCheck, type HostCheck } from './net/host-check.ts';
import type { HttpClient } from './net/types.ts';
import { createScriptCompiler } from './script/index.ts';
import { createTemplateEngine } from './templates/engine.ts';
import { Deliverer } from './delivery/deliverer.ts';
import { Scheduler } from './schedule/scheduler.ts';
import { WatchRunner } from './runtime/runner.ts';
import { WatchService } from './runtime/service.ts';
import { OverloadMonitor } from './runtime/overload.ts';
import { loadKeyRing } from './accounts/keysource.ts';
import { AccountRegistry } from './accounts/registry.ts';
import { VigilError } from './errors.ts';
import { readFileSync } from 'node:fs';
import type { CompiledWatch, WatchCompileEnv } from './watches/compile.ts';
import { checkWatchAgainstNode } from './watches/node-check.ts';
import { createRegistry, type RegistryTypes, type TypeRegistry } from './registry/registry.ts';
import { builtinTypes } from './registry/builtin.ts';
import { Pruner } from './state/pruner.ts';
import type { KeyRing } from './accounts/keyring.ts';

/** What tests and embedders may replace; everything else is built from the config. */
export interface AppDeps {
  clock?: Clock;
  logger?: Logger;
  http?: HttpClient;
  searchClient?: (cluster: string) => SearchClient;
  env?: NodeJS.ProcessEnv;
  rng?: () => number;
  /** The check and action types to register instead of Vigil's own (a test adding a type of its own). */
  types?: RegistryTypes;
}

export interface App {
  config: VigilConfig;
  logger: Logger;
  metrics: Metrics;
  store: SqliteStateStore;
  watches: WatchService;
  runner: WatchRunner;
  scheduler: Scheduler;
  deliverer: Deliverer;
  accounts: AccountRegistry | null;
  /** The master key ring, when one is configured (the security module takes its peppers from it). */
  keyring: KeyRing | null;
  clock: Clock;
  /** The egress-checked HTTP client (deliveries and account `_test` send through it). */
  http: HttpClient;
  /** The egress check for connections made outside `http` (SMTP and SOCKS), shared by deliveries and account tests. */
  egress: HostCheck;
  /** The check and action types, and which are disabled on this node (`egress.disabled_action_types`). */
  registry: TypeRegistry;
  compileEnv: WatchCompileEnv;
  /** Loads watches, resumes pending deliveries, starts scheduling and following the watches folder. */
  start(): Promise<void>;
  /** SIGHUP: re-reads every watch file; runs in flight and pending deliveries are untouched. */
  reload(): Promise<void>;
  /**
   * SIGTERM, its synchronous first step: no watch fires from this call on and queued fires are dropped.
   * `stop()` does it too; a signal handler calls it at once, before anything it has to wait for.
   */
  halt(): void;
  /**
   * SIGTERM: halts, lets runs in flight and deliveries finish within `delivery.shutdown_grace_ms`, then
   * aborts what is left (checks fail, deliveries stay pending in the outbox for the next start), runs
   * `beforeClose` (the API server closes there, its requests answered), and closes the store.
   */
  stop(o?: { beforeClose?: () => Promise<void> }): Promise<void>;
}

function clusterConfigs(config: VigilConfig): ClusterConfig[] {
  return Object.entries(config.clusters).map(([name, c]) => {
    const out: ClusterConfig = { name, urls: c.urls };
    if (c.auth) out.auth = 'api_key' in c.auth ? { apiKey: c.auth.api_key } : c.auth;
    if (c.tls) out.tls = { ...(c.tls.ca_file ? { ca: readFileSync(c.tls.ca_file, 'utf8') } : {}), rejectUnauthorized: c.tls.verify };
    if (c.distribution) out.distribution = c.distribution;
    if (c.request_timeout_ms) out.requestTimeoutMs = c.request_timeout_ms;
    if (c.max_response_bytes) out.maxResponseBytes = c.max_response_bytes;
    return out;
  });
}

async function hasAccounts(dir: string): Promise<boolean> {
  try {
    for (const t of await readdir(dir, { withFileTypes: true })) {
      if (t.isDirectory() && (await readdir(`${dir}/${t.name}`)).some((f) => f.endsWith('.json'))) return true;
    }
  } catch {
    // No accounts folder yet.
  }
  return false;
}

/**
 * Builds the whole daemon from a config without touching process-wide state (no signal handlers, no
 * process.exit): main.ts and the tests both embed it.
 */
export async function buildApp(config: VigilConfig, deps: AppDeps = {}): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: config.log.level });
  const metrics = createMetrics({ defaultMetrics: !deps.logger });
  const env = deps.env ?? process.env;
  const registry = createRegistry(deps.types ?? builtinTypes, { disabled: config.egress.disabled_action_types });

  let accounts: AccountRegistry | null = null;
  let keyring: KeyRing | null = null;
  const keyAvailable = Boolean(config.key_file || env.VIGIL_MASTER_KEY);
  if (keyAvailable) {
    keyring = await loadKeyRing({ keyFile: config.key_file, env });
    accounts = await AccountRegistry.open({ dir: config.accounts_dir, keyring, types: registry, logger, clock });
  } else if (await hasAccounts(config.accounts_dir)) {
    throw new VigilError('CONFIG_INVALID', `accounts exist in ${config.accounts_dir} but no master key is set (VIGIL_MASTER_KEY or key_file)`);
  }

  const store = new SqliteStateStore(config.data_dir, {
    onCheckpoint: (r) => (r.ok ? metrics.stateCheckpoints.observe(r.ms / 1000) : logger.warn({ err: r.error }, 'state store checkpoint failed')),
  });
  const policy = createEgressPolicy({ allow: config.egress.allow }, {});
  const http = deps.http ?? createHttpClient({ policy, logger, clock });
  const clusters = new ClusterRegistry(clusterConfigs(config), logger);
  const searchClient = deps.searchClient ?? ((name: string) => clusters.get(name));
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  const compileEnv: WatchCompileEnv = { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry };
  const egress = createHostCheck(policy, logger);

  const deliverer = new Deliverer({
    store,
    registry,
    accounts,
    http,
    searchClient,
    clock,
    logger,
    metrics,
    perDestinationConcurrency: config.delivery.per_destination_concurrency,
    queueLimit: config.delivery.queue_limit,
    egress,
    ...(deps.rng ? { rng: deps.rng } : {}),
  });
  const runner = new WatchRunner({ store, deliverer, searchClient, http, clock, logger, metrics, node: config.node_name, publicUrl: config.public_url });
  const scheduler = new Scheduler({
    clock,
    logger,
    concurrency: config.scheduler.concurrency,
    queueLimit: config.scheduler.queue_limit,
    misfireThresholdMs: config.scheduler.misfire_threshold_ms,
    spreadIntervals: config.scheduler.spread_intervals,
    // Back-pressure: while delivery is saturated no run starts, and fires wait in the schedule.
    admission: deliverer.pressure,
  });
  metrics.bind({ scheduler: () => scheduler.stats(), backlog: () => deliverer.backlog });
  const overload = new OverloadMonitor({
    clock,
    logger,
    metrics,
    pressure: deliverer.pressure,
    scheduler: () => scheduler.stats(),
    destinations: () => deliverer.destinations(),
  });

  const extraCheck = (w: CompiledWatch) => checkWatchAgainstNode(w, { accounts, registry, clusters: Object.keys(config.clusters) });

  const watches = new WatchService({ watchesDir: config.watches_dir, env: compileEnv, runner, scheduler, store, logger, metrics, clock, extraCheck });

  // Delivered and failed outbox entries are kept a week: their keys are what keeps a re-run of the
  // same scheduled time (the clock set back) from notifying twice.
  const pruner = new Pruner({ store, clock, logger, logRetention: config.log.retention, outboxMaxAgeMs: 7 * 86_400_000 });

  let runsDone: Promise<void> = Promise.resolve();
  let halted = false;
  const halt = (): void => {
    if (halted) return;
    halted = true;
    runsDone = scheduler.stop();
    void watches.stop();
  };

  return {
    config,
    logger,
    metrics,
    store,
    watches,
    runner,
    scheduler,
    deliverer,
    accounts,
    keyring,
    clock,
    http,
    egress,
    registry,
    compileEnv,
    async start() {
      const { valid, invalid } = await watches.loadAll();
      logger.info({ valid, invalid, dir: config.watches_dir }, 'watches loaded');
      const resumed = await deliverer.resumePending();
      if (resumed) logger.info({ resumed }, 'resumed pending deliveries');
      scheduler.start();
      watches.follow();
      pruner.start();
    },
    async reload() {
      const { valid, invalid } = await watches.loadAll();
      logger.info({ valid, invalid }, 'watches reloaded');
    },
    halt,
    async stop(o = {}) {
      halt();
      // One grace period for everything in flight: runs (in their checks, or waiting for their
      // deliveries) and deliveries (of runs, of API executions, resumed ones). When it ends, checks and
      // sends are aborted together; an aborted send stays pending in the outbox, and its run finishes
      // at once, recording that.
      const settled = Promise.all([runsDone, deliverer.idle()]);
      let timer: ReturnType<typeof clock.setTimeout> | undefined;
      await Promise.race([settled, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, config.delivery.shutdown_grace_ms)))]);
      if (timer !== undefined) clock.clearTimeout(timer);
      runner.abortRuns();
      deliverer.abortAll();
      await settled;
      await deliverer.idle();
      await o.beforeClose?.();
      overload.stop();
      await pruner.stop();
      await registry.close();
      await http.close();
      await clusters.closeAll();
      await store.close();
    },
  };
}
