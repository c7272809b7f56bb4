import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import type { VigilConfig } from '../config/schema.ts';
import { openStateStore } from '../state/open-store.ts';
import type { StateStore } from '../state/types.ts';
import { ClusterRegistry } from '../cluster/index.ts';
import type { SearchClient } from '../cluster/types.ts';
import { createEgressPolicy } from '../net/egress.ts';
import { createHttpClient } from '../net/http.ts';
import { createHostCheck, type HostCheck } from '../net/host-check.ts';
import type { HttpClient } from '../net/types.ts';
import { createScriptCompiler } from '../script/index.ts';
import { createTemplateEngine } from '../templates/engine.ts';
import { Deliverer } from '../delivery/deliverer.ts';
import { SharedOutbox } from '../delivery/shared-outbox.ts';
import type { AccountSource } from '../delivery/types.ts';
import { Scheduler } from '../schedule/scheduler.ts';
import { WatchRunner } from '../runtime/runner.ts';
import { WatchService } from '../runtime/service.ts';
import { OverloadMonitor } from '../runtime/overload.ts';
import type { AccountRegistry } from '../accounts/registry.ts';
import type { KeyRing } from '../accounts/keyring.ts';
import type { AccountDocStore } from '../accounts/doc-store.ts';
import type { CompiledWatch, WatchCompileEnv } from '../watches/compile.ts';
import { createRegistry, type RegistryTypes, type TypeRegistry } from '../registry/registry.ts';
import { builtinTypes } from '../registry/builtin.ts';
import { checkWatchAgainstNode } from '../watches/node-check.ts';
import { FileWatchRepository } from '../watches/file-repository.ts';
import type { WatchRepository } from '../watches/repository.ts';
import type { RunAsResolver } from '../watches/run-as.ts';
import { FolderSync } from '../watches/folder-sync.ts';
import { Pruner } from '../state/pruner.ts';
import { resolvingStoredRefs, type StoredRefs } from '../request/stored-refs.ts';
import { Health } from '../health/index.ts';
import { missingClusters } from '../watches/node-check.ts';
import { destinationHost } from '../delivery/deliverer.ts';
import type { RenderedNotification } from '../actions/types.ts';
import { clusterConfigs, daemonAwsCredentials, openAccounts } from './settings.ts';
import type { AwsCredentials } from '../net/aws/sigv4.ts';
import { instrumentClusters } from './instrument-clusters.ts';
import { DeadmanSwitch } from '../health/deadman.ts';
import { heartbeatFor } from './deadman.ts';
import { allOf } from '../schedule/admission.ts';
import { openClusterBackend, type ClusterBackend } from './cluster-backend.ts';
import { ClusterMode } from './cluster-mode.ts';
import type { ClusterView } from '../api/context.ts';

/** What tests and embedders may replace; everything else is built from the config. */
export interface RuntimeDeps {
  clock?: Clock;
  logger?: Logger;
  http?: HttpClient;
  searchClient?: (cluster: string) => SearchClient;
  env?: NodeJS.ProcessEnv;
  rng?: () => number;
  /**
   * Where deliveries and load-time checks find accounts, instead of the sealed accounts registry (tests
   * that need no sealing). `accounts` (the registry the API manages) stays as the config makes it.
   */
  accountSource?: AccountSource;
  /** Where requests find stored proxies and trust stores, instead of the accounts registry's. */
  storedRefs?: StoredRefs;
  /** The check and action types to register instead of Vigil's own (a test adding a type of its own). */
  types?: RegistryTypes;
  /**
   * Who watches run as (the security module's resolver; `buildApp` wires it). Absent: no watch may
   * search or write any index, so an engine built without the security configuration fails closed.
   */
  runAs?: RunAsResolver;
  /**
   * Where the accounts registry keeps its accounts instead of the accounts folder (`vigil execute`
   * with the cluster backend: the cluster's accounts, beside a throw-away state store).
   */
  accountStore?: AccountDocStore;
}

/** What an engine without a security configuration runs every watch as: no index access at all. */
export const NO_INDEX_ACCESS: RunAsResolver = {
  forWatch: () => ({
    user: null,
    denied: (cluster, index, action) => `${action} on index '${index}' of cluster '${cluster}' is not allowed: this engine runs without a security configuration`,
  }),
};

/** The daemon without its REST API: what `vigil execute` and runner-level tests need. */
export interface Runtime {
  config: VigilConfig;
  logger: Logger;
  metrics: Metrics;
  store: StateStore;
  /** Where watch definitions are kept (the watches folder, or the cluster with the cluster backend). */
  watchRepository: WatchRepository;
  /** With the cluster backend: this daemon's membership and the watches it owns (null on SQLite). */
  cluster: ClusterMode | null;
  /** The membership as the API shows it (null on SQLite). */
  clusterView(): ClusterView | null;
  watches: WatchService;
  runner: WatchRunner;
  scheduler: Scheduler;
  deliverer: Deliverer;
  accounts: AccountRegistry | null;
  /** The master key ring, when one is configured (the security module takes its peppers from it). */
  keyring: KeyRing | null;
  clock: Clock;
  /** The egress-checked HTTP client (deliveries and account `_test` send through it); it resolves stored proxies and trust stores. */
  http: HttpClient;
  /** The stored proxies and trust stores requests may name; null without a master key. */
  storedRefs: StoredRefs | null;
  /** The egress check for connections made outside `http` (SMTP and SOCKS), shared by deliveries and account tests. */
  egress: HostCheck;
  /** The check and action types, and which are disabled on this node (`egress.disabled_action_types`). */
  registry: TypeRegistry;
  compileEnv: WatchCompileEnv;
  /** The node's health: what `/_vigil/health` and its readiness and liveness answer. */
  health: Health;
  /** The daemon's own AWS credentials (its environment's at start), for AWS accounts without keys. */
  daemonAwsCredentials: AwsCredentials | undefined;
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
   * `beforeClose` (what was built on top closes there), and closes the store.
   */
  stop(o?: { beforeClose?: () => Promise<void> }): Promise<void>;
}

/**
 * Builds the daemon's engine from a config (accounts, store, clusters, HTTP, deliverer, runner,
 * scheduler, watch service) without touching process-wide state: `buildApp` adds the API on top of it,
 * and `vigil execute` uses it alone.
 */
export async function buildRuntime(config: VigilConfig, deps: RuntimeDeps = {}): Promise<Runtime> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const registry = createRegistry(deps.types ?? builtinTypes, { disabled: config.egress.disabled_action_types });
  const env = deps.env ?? process.env;
  // The cluster backend keeps state, watches and accounts in the cluster: no data folder, no lock.
  const backend = config.state.backend === 'cluster' ? await openClusterBackend(config, { logger, clock }) : null;
  try {
    const accountStore = backend?.accounts ?? deps.accountStore;
    const opened = await openAccounts(config, { env, types: registry, logger, clock, ...(accountStore ? { store: accountStore } : {}) });
    const aws = daemonAwsCredentials(env, { logger, redactor: opened.accounts?.redactor });
    return wireRuntime(config, { ...deps, ...opened, daemonAwsCredentials: aws, registry, clock, logger, defaultMetrics: !deps.logger, backend });
  } catch (e) {
    await backend?.store.close();
    throw e;
  }
}

/** What `wireRuntime` takes besides the seams: what had to be opened first. */
export interface OpenedParts {
  accounts: AccountRegistry | null;
  keyring: KeyRing | null;
  /** Node.js process metrics beside Vigil's own (not in embedded uses, where the host has its own). */
  defaultMetrics?: boolean;
  /** The type registry the accounts registry was opened with; built here from `types` when absent. */
  registry?: TypeRegistry;
  /** The daemon's own AWS credentials, read from the environment by `buildRuntime`; none when absent. */
  daemonAwsCredentials?: AwsCredentials | undefined;
  /** The cluster backend, opened; without it the state is the SQLite store of `data_dir` and watches are files. */
  backend?: ClusterBackend | null;
}

/**
 * The wiring itself, synchronous: `buildRuntime` opens the accounts registry and calls it; runner-level
 * test kits call it with no registry (and an `accountSource` of their own).
 */
export function wireRuntime(config: VigilConfig, deps: RuntimeDeps & OpenedParts): Runtime {
  const { accounts, keyring } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false, clock });
  const accountSource = deps.accountSource ?? accounts;
  const registry = deps.registry ?? createRegistry(deps.types ?? builtinTypes, { disabled: config.egress.disabled_action_types });

  const backend = deps.backend ?? null;
  const store: StateStore =
    backend?.store ??
    openStateStore(config.data_dir, {
      onCheckpoint: (r) => (r.ok ? metrics.stateCheckpoints.observe(r.ms / 1000) : logger.warn({ err: r.error }, 'state store checkpoint failed')),
    });
  const policy = createEgressPolicy({ allow: config.egress.allow }, {});
  const storedRefs: StoredRefs | null =
    deps.storedRefs ?? (accounts ? { proxyUri: (id) => accounts.proxies.url(id), truststorePem: (id) => accounts.truststores.pem(id) } : null);
  // Every check, delivery and account test sends through it: a stored proxy or trust store is resolved
  // per request, so a change through the REST API applies to running watches at their next request.
  const http = resolvingStoredRefs(deps.http ?? createHttpClient({ policy, logger, clock }), storedRefs);
  const clusters = new ClusterRegistry(clusterConfigs(config), logger);
  const searchClient = instrumentClusters(deps.searchClient ?? ((name: string) => clusters.get(name)), metrics);
  // Wired below, once the parts it reads exist; runs and deliveries report to it from the start.
  let health: Health | undefined;
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  const compileEnv: WatchCompileEnv = { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry };
  const egress = createHostCheck(policy, logger);

  // Several daemons share the cluster backend's outbox: deliveries are claimed, taken over, kept in order.
  const claims = backend?.store.outbox.claims;
  const shared = claims ? new SharedOutbox({ claims, node: config.node_name, leaseMs: config.cluster_mode.lease_ms, clock, logger }) : undefined;
  const deliverer = new Deliverer({
    ...(shared ? { shared } : {}),
    store,
    registry,
    accounts: accountSource,
    http,
    searchClient,
    clock,
    logger,
    metrics,
    perDestinationConcurrency: config.delivery.per_destination_concurrency,
    queueLimit: config.delivery.queue_limit,
    egress,
    daemonAwsCredentials: deps.daemonAwsCredentials,
    ...(deps.rng ? { rng: deps.rng } : {}),
    onOutcome: (e, outcome) => {
      if (outcome.status === 'pending') return;
      const destination = (e.notification as RenderedNotification | null)?.destination ?? e.actionType;
      health?.deliveryEnded({ tenant: e.tenant, watchId: e.watchId, action: e.action, actionType: e.actionType, destination: destinationHost(destination), outcome: { status: outcome.status, code: outcome.code, error: outcome.error } });
    },
  });
  const runAs = deps.runAs ?? NO_INDEX_ACCESS;
  const runner = new WatchRunner({
    store,
    deliverer,
    searchClient,
    runAs,
    http,
    clock,
    logger,
    metrics,
    node: config.node_name,
    publicUrl: config.public_url,
    onRunEnded: (record, scheduled) => void (scheduled && health?.runEnded(record)),
    // Several daemons: a scheduled run hands its notifications to the shared outbox and returns.
    detachDeliveries: shared !== undefined,
  });
  const scheduler = new Scheduler({
    clock,
    logger,
    concurrency: config.scheduler.concurrency,
    queueLimit: config.scheduler.queue_limit,
    misfireThresholdMs: config.scheduler.misfire_threshold_ms,
    spreadIntervals: config.scheduler.spread_intervals,
    // Daemons sharing the watches compute the same scheduled times, so a run claim means the same time on each.
    alignIntervals: backend !== null,
    // Back-pressure: while delivery is saturated, or the cluster state store's write queue is full, no
    // run starts, and fires wait in the schedule.
    admission: backend ? allOf(deliverer.pressure, backend.link) : deliverer.pressure,
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

  const configuredClusters = Object.keys(config.clusters);
  const extraCheck = (w: CompiledWatch) =>
    checkWatchAgainstNode(w, { accounts: accountSource, registry, clusters: configuredClusters, stored: storedRefs, identity: { access: runAs.forWatch(w), now: clock.now() } });
  const files = new FileWatchRepository({ root: config.watches_dir, logger });
  const watchRepository: WatchRepository = backend?.watches ?? files;
  // With the cluster backend, a watches folder (when there is one) is applied to the cluster's copy, which is what runs.
  const folderSync = backend && existsSync(config.watches_dir) ? new FolderSync({ files, cluster: backend.watches, node: config.node_name, logger }) : null;
  const onWatchChange = (ref: { tenant: string; id: string }, w: CompiledWatch | null): void => {
    health?.watchChanged(ref.tenant, ref.id, w ? missingClusters(w, registry, configuredClusters) : null);
    metrics.watchesClusterNotConfigured.set(health?.needs.size ?? 0);
  };
  const cluster = backend
    ? new ClusterMode({ docs: backend.docs, index: backend.store.names.nodes, node: config.node_name, leaseMs: config.cluster_mode.lease_ms, clock, logger, ...(shared ? { adopt: (keys) => void shared.adopt(keys).catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'shared outbox: adopting the watches gained failed')) } : {}) })
    : null;
  const watches = new WatchService({
    repository: watchRepository, env: compileEnv, runner, scheduler, store, logger, metrics, clock, extraCheck, onWatchChange,
    ...(cluster ? { ownership: cluster, claimRuns: true } : {}),
  });
  cluster?.reportStats(() => {
    const st = scheduler.stats();
    return { owned: watches.ownedCount(), scheduled: st.watches, fired: st.fired, running: st.running, lag_p99_ms: st.lateness.p99Ms, delivery_backlog: deliverer.backlog };
  });
  const deadman = config.deadman
    ? new DeadmanSwitch({ clock, logger, metrics, intervalMs: config.deadman.interval_ms, ...heartbeatFor(config.deadman, { http, accounts: accountSource, node: config.node_name }) })
    : null;
  health = new Health({
    clock,
    logger,
    metrics,
    config: config.health,
    clusters,
    store,
    storeBackend: backend ? 'cluster' : 'sqlite',
    ...(backend ? { writeQueue: () => backend.store.health } : {}),
    overloaded: () => overload.overloaded,
    invalidWatches: () => watches.counts().invalid,
    ...(deadman ? { deadman: () => deadman.status() } : {}),
    ...(cluster ? { membership: () => cluster.membership.status() } : {}),
  });
  const nodeHealth = health;
  // The store's own news of its cluster (writes held, the queue full, and back) is checked at once.
  backend?.link.attach(logger, () => void nodeHealth.checkStore());

  // Delivered and failed outbox entries are kept a week: their keys are what keeps a re-run of the
  // same scheduled time (the clock set back) from notifying twice.
  const pruner = new Pruner({ store, clock, logger, logRetention: config.log.retention, outboxMaxAgeMs: 7 * 86_400_000 });

  let runsDone: Promise<void> = Promise.resolve();
  let membershipDone: Promise<void> = Promise.resolve();
  let halted = false;
  let folderFeed: { close(): void } | undefined;
  const halt = (): void => {
    if (halted) return;
    halted = true;
    nodeHealth.markStopping();
    runsDone = scheduler.stop();
    // The others take this daemon's watches at once instead of a lease later.
    membershipDone = cluster?.stop() ?? Promise.resolve();
    folderFeed?.close();
    void watches.stop();
  };
  const applyFolder = async () => {
    if (!folderSync) return;
    const counts = await folderSync.applyAll();
    logger.info({ ...counts, dir: config.watches_dir, node: config.node_name }, 'watches folder applied to the cluster');
  };
  const where = backend ? backend.store.names.watches : config.watches_dir;

  return {
    config,
    logger,
    metrics,
    store,
    watchRepository,
    cluster,
    clusterView: () => (cluster ? { node: cluster.node, lease_ms: config.cluster_mode.lease_ms, live: cluster.live(), members: cluster.members() } : null),
    watches,
    runner,
    scheduler,
    deliverer,
    accounts,
    keyring,
    clock,
    http,
    storedRefs,
    egress,
    registry,
    compileEnv,
    health: nodeHealth,
    daemonAwsCredentials: deps.daemonAwsCredentials,
    async start() {
      await applyFolder();
      // Who is live first: the load schedules only the watches this daemon will own; the others hear of
      // it (and let those go) only once they are scheduled here.
      await cluster?.observe();
      const { valid, invalid } = await watches.loadAll();
      await cluster?.start();
      const needs = nodeHealth.needs.all();
      logger.info({ valid, invalid, needClusterNotConfigured: needs.length, clusters: configuredClusters, dir: where, ...(cluster ? { node: config.node_name, owned: watches.ownedCount(), live: cluster.live() } : {}) }, 'watches loaded');
      if (needs.length) {
        const names = needs.slice(0, 10).map((n) => `${n.tenant}/${n.watch}`);
        logger.warn(
          { watches: names, more: Math.max(0, needs.length - names.length), configured: configuredClusters },
          `${needs.length} watch(es) need a cluster that is not configured (set VIGIL_CLUSTER_URL or the config's clusters): their searches fail until it is`,
        );
      }
      metrics.watchEventLoop();
      await nodeHealth.start();
      deadman?.start();
      if (shared) deliverer.startShared();
      else {
        const resumed = await deliverer.resumePending();
        if (resumed) logger.info({ resumed }, 'resumed pending deliveries');
      }
      scheduler.start();
      watches.follow();
      if (folderSync && !halted) folderFeed = folderSync.follow();
      pruner.start();
      nodeHealth.markStarted();
    },
    async reload() {
      await applyFolder();
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
      // Runs first: a run ending now may still hand notifications to the deliverer.
      const settled = runsDone.then(() => deliverer.idle());
      let timer: ReturnType<typeof clock.setTimeout> | undefined;
      await Promise.race([settled, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, config.delivery.shutdown_grace_ms)))]);
      if (timer !== undefined) clock.clearTimeout(timer);
      runner.abortRuns();
      deliverer.abortAll();
      // A wait for an entry another daemon holds ends too: the grace period is over.
      await shared?.stop();
      await settled;
      await deliverer.idle();
      // What is left pending here goes to the next daemon at once, not a lease later.
      await shared?.handOver();
      await o.beforeClose?.();
      await membershipDone;
      overload.stop();
      await nodeHealth.stop();
      await deadman?.stop();
      metrics.close();
      await pruner.stop();
      await registry.close();
      await http.close();
      await clusters.closeAll();
      await store.close();
    },
  };
}
