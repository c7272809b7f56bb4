/**
 * The daemon's engine as the app wires it (wireRuntime), with every seam real except time (FakeClock):
 * a temp-dir state store, the real script and template engines, a capturing logger, and where a test
 * wants, its HTTP client, search clients and fixed accounts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from './fake-clock.ts';
import { captureLogger, type CapturedLog } from './log-capture.ts';
import type { Metrics } from '../../src/metrics.ts';
import type { StateStore } from '../../src/state/types.ts';
import type { Deliverer } from '../../src/delivery/deliverer.ts';
import type { WatchRunner } from '../../src/runtime/runner.ts';
import type { WatchService } from '../../src/runtime/service.ts';
import type { Scheduler } from '../../src/schedule/scheduler.ts';
import type { AccountSource } from '../../src/delivery/types.ts';
import type { HttpClient } from '../../src/net/types.ts';
import type { StoredRefs } from '../../src/request/stored-refs.ts';
import { loadConfig } from '../../src/config/load.ts';
import { wireRuntime } from '../../src/app/runtime.ts';
import type { SearchClient } from '../../src/cluster/types.ts';
import { createScriptCompiler } from '../../src/script/index.ts';
import { createTemplateEngine } from '../../src/templates/engine.ts';
import type { WatchCompileEnv } from '../../src/watches/compile.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import type { RegistryTypes } from '../../src/registry/registry.ts';
import { compileWatch, type CompiledWatch } from '../../src/watches/compile.ts';
import type { RunAsResolver } from '../../src/watches/run-as.ts';
import { allowAllRunAs } from './access.ts';

export function compileEnv(): WatchCompileEnv {
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  return { script: scripts, template: (s, m, f) => templates.compile(s, m, f), registry: builtinRegistry() };
}

/** Accounts from a plain map `{type: {id: account}}`, for tests that need no sealing. */
export function fixedAccounts(map: Record<string, Record<string, unknown>>): AccountSource {
  return {
    async resolve(type, id) {
      const a = map[type]?.[id];
      if (!a) throw new Error(`no ${type} account ${id}`);
      return a;
    },
    async holders(id, types) {
      return types.filter((t) => map[t]?.[id] !== undefined).sort();
    },
  };
}

export interface RuntimeKit {
  clock: FakeClock;
  store: StateStore;
  runner: WatchRunner;
  deliverer: Deliverer;
  /** The watch service over `<dir>/watches` (nothing loaded until a test loads or puts a watch). */
  watches: WatchService;
  /** The scheduler the watch service schedules on (not started: a test starts it if it wants fires). */
  scheduler: Scheduler;
  logs: CapturedLog;
  metrics: Metrics;
  compile(watch: unknown, id?: string, tenant?: string): CompiledWatch;
  close(): Promise<void>;
  dir: string;
  /** The watches folder. */
  watchesDir: string;
}

const unusedHttp: HttpClient = {
  request: async () => {
    throw new Error('no HTTP in this test');
  },
  close: async () => {},
};

export function runtimeKit(
  opts: {
    http?: HttpClient;
    searchClient?: (c: string) => SearchClient;
    start?: string;
    accounts?: AccountSource;
    storedRefs?: StoredRefs;
    types?: RegistryTypes;
    /** Who watches run as; default: every index allowed. */
    runAs?: RunAsResolver;
  } = {},
): RuntimeKit {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rt-'));
  const watchesDir = join(dir, 'watches');
  const clock = new FakeClock(opts.start ?? '2026-03-01T10:00:00Z');
  const logs = captureLogger();
  const config = loadConfig({
    env: {},
    overrides: {
      data_dir: dir,
      watches_dir: watchesDir,
      accounts_dir: join(dir, 'accounts'),
      node_name: 'test-node',
      // Interval watches fire at load + interval, the times the tests count with.
      scheduler: { spread_intervals: false },
      // Local test peers (SMTP, SOCKS) only.
      egress: { allow: ['127.0.0.0/8'], disabled_action_types: [] },
    },
  });
  const searchClient =
    opts.searchClient ??
    ((c: string) => {
      throw new Error(`no cluster ${c} in this test`);
    });
  const rt = wireRuntime(config, {
    clock,
    logger: logs.logger,
    http: opts.http ?? unusedHttp,
    searchClient,
    env: {},
    rng: () => 0.5,
    runAs: opts.runAs ?? allowAllRunAs,
    accounts: null,
    keyring: null,
    ...(opts.accounts ? { accountSource: opts.accounts } : {}),
    ...(opts.storedRefs ? { storedRefs: opts.storedRefs } : {}),
    ...(opts.types ? { types: opts.types } : {}),
  });
  return {
    clock,
    store: rt.store,
    runner: rt.runner,
    deliverer: rt.deliverer,
    watches: rt.watches,
    scheduler: rt.scheduler,
    logs,
    metrics: rt.metrics,
    dir,
    watchesDir,
    compile(watch, id = 'w', tenant = '_main') {
      const res = compileWatch(watch, { tenant, id }, rt.compileEnv);
      if (!res.ok) throw new Error(`watch invalid: ${JSON.stringify(res.detail)}`);
      return res.watch;
    },
    async close() {
      await rt.watches.stop();
      await rt.scheduler.stop();
      await rt.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
