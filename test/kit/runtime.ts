/**
 * Builds a WatchRunner with every seam real except time (FakeClock) and, where a test wants, the action
 * types: a temp-dir sqlite store, the real script and template engines, a capturing logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from './fake-clock.ts';
import { captureLogger, type CapturedLog } from './log-capture.ts';
import { createMetrics } from '../../src/metrics.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { WatchRunner } from '../../src/runtime/runner.ts';
import { actionTypes } from '../../src/actions/index.ts';
import type { ActionType } from '../../src/actions/types.ts';
import type { AccountSource } from '../../src/delivery/types.ts';
import type { HttpClient } from '../../src/net/types.ts';
import { createTestHostCheck } from './undici-http.ts';
import type { SearchClient } from '../../src/cluster/types.ts';
import { createScriptCompiler } from '../../src/script/index.ts';
import { createTemplateEngine } from '../../src/templates/engine.ts';
import type { CompileEnv } from '../../src/checks/types.ts';
import { compileWatch, type CompiledWatch } from '../../src/watches/compile.ts';

export function compileEnv(): CompileEnv {
  const scripts = createScriptCompiler();
  const templates = createTemplateEngine();
  return { script: scripts, template: (s, m, f) => templates.compile(s, m, f) };
}

/** Accounts from a plain map `{type: {id: account}}`, for tests that need no sealing. */
export function fixedAccounts(map: Record<string, Record<string, unknown>>): AccountSource {
  return {
    async resolve(type, id) {
      const a = map[type]?.[id];
      if (!a) throw new Error(`no ${type} account ${id}`);
      return a;
    },
  };
}

export interface RuntimeKit {
  clock: FakeClock;
  store: SqliteStateStore;
  runner: WatchRunner;
  deliverer: Deliverer;
  logs: CapturedLog;
  metrics: ReturnType<typeof createMetrics>;
  compile(watch: unknown, id?: string, tenant?: string): CompiledWatch;
  close(): Promise<void>;
  dir: string;
}

const unusedHttp: HttpClient = {
  request: async () => {
    throw new Error('no HTTP in this test');
  },
  close: async () => {},
};

export function runtimeKit(opts: { types?: readonly ActionType[]; http?: HttpClient; searchClient?: (c: string) => SearchClient; start?: string; dir?: string; accounts?: AccountSource } = {}): RuntimeKit {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'vigil-rt-'));
  const clock = new FakeClock(opts.start ?? '2026-03-01T10:00:00Z');
  const store = new SqliteStateStore(dir);
  const logs = captureLogger();
  const metrics = createMetrics();
  const http = opts.http ?? unusedHttp;
  const searchClient =
    opts.searchClient ??
    ((c: string) => {
      throw new Error(`no cluster ${c} in this test`);
    });
  const deliverer = new Deliverer({ store, types: opts.types ?? actionTypes, accounts: opts.accounts ?? null, http, searchClient, clock, logger: logs.logger, metrics, rng: () => 0.5, egress: createTestHostCheck() });
  const runner = new WatchRunner({ store, deliverer, searchClient, http, clock, logger: logs.logger, metrics, node: 'test-node' });
  const env = compileEnv();
  return {
    clock,
    store,
    runner,
    deliverer,
    logs,
    metrics,
    dir,
    compile(watch, id = 'w', tenant = '_main') {
      const res = compileWatch(watch, { tenant, id }, env);
      if (!res.ok) throw new Error(`watch invalid: ${JSON.stringify(res.detail)}`);
      return res.watch;
    },
    async close() {
      await store.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
