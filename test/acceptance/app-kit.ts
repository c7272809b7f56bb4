/**
 * The whole app in-process (buildApp) on a temp directory with a FakeClock, for the fault acceptance
 * tests. The HTTP client is the real one (undici, egress policy at connect time, caps, timeouts) built
 * from the same policy settings the app would use; the kit adds a fake resolver (names → 127.0.0.1) and
 * records the fake time of every request, so a test can assert on retry spacing exactly.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { VigilConfigInput } from '../../src/config/schema.ts';
import { createEgressPolicy } from '../../src/net/egress.ts';
import { createHttpClient } from '../../src/net/http.ts';
import type { HttpClient, HttpRequest } from '../../src/net/types.ts';
import type { WatchLogRecord } from '../../src/state/records.ts';
import type { SearchClient } from '../../src/cluster/types.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { captureLogger } from '../kit/log-capture.ts';

export interface AppKit {
  app: App;
  clock: FakeClock;
  logs: ReturnType<typeof captureLogger>;
  /** Every outbound HTTP request with the fake time it was made at. */
  sent: Array<{ at: number; req: HttpRequest }>;
  writeWatch(id: string, body: unknown): void;
  /** Runs a loaded watch now (as `_execute` does), driving the fake clock until the run ends. */
  execute(id: string): Promise<WatchLogRecord>;
  /** Advances fake time in steps, giving real I/O a moment after each, until `done()` or `maxMs` of fake time. */
  drive(done: () => boolean, opts?: { stepMs?: number; maxMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface AppKitOptions {
  /** Egress allow entries (default `['127.0.0.1']`). */
  allow?: string[];
  /** Fake DNS: name → address; other names do not resolve. */
  hosts?: Record<string, string>;
  config?: Partial<VigilConfigInput>;
  env?: Record<string, string>;
  start?: string;
  searchClient?: (cluster: string) => SearchClient;
  /** Start the app (load watches, scheduler); default true. */
  autoStart?: boolean;
}

export const realPause = (ms = 5) => new Promise<void>((r) => setTimeout(r, ms));

export async function appKit(o: AppKitOptions = {}): Promise<AppKit> {
  const root = mkdtempSync(join(tmpdir(), 'vigil-faults-'));
  const watchesDir = join(root, 'watches');
  mkdirSync(watchesDir);
  const clock = new FakeClock(o.start ?? '2026-03-01T10:00:30Z');
  const logs = captureLogger('debug');
  const allow = o.allow ?? ['127.0.0.1'];
  const config = loadConfig({
    env: {},
    overrides: {
      data_dir: join(root, 'data'),
      watches_dir: watchesDir,
      accounts_dir: join(root, 'accounts'),
      ...o.config,
      egress: { allow, disabled_action_types: [], ...o.config?.egress },
    },
  });
  const hosts = o.hosts ?? {};
  const real = createHttpClient({
    policy: createEgressPolicy({ allow: config.egress.allow }, {}),
    logger: logs.logger,
    clock,
    resolve: async (name) => {
      const address = hosts[name];
      if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return [{ address, family: 4 }];
    },
  });
  const sent: AppKit['sent'] = [];
  const http: HttpClient = {
    request: (req) => {
      sent.push({ at: clock.now(), req });
      return real.request(req);
    },
    close: () => real.close(),
  };
  const app = await buildApp(config, { clock, logger: logs.logger, http, env: o.env ?? {}, rng: () => 0.5, ...(o.searchClient ? { searchClient: o.searchClient } : {}) });
  if (o.autoStart !== false) await app.start();

  const drive: AppKit['drive'] = async (done, { stepMs = 50, maxMs = 120_000 } = {}) => {
    for (let t = 0; !done() && t <= maxMs; t += stepMs) {
      await clock.advance(stepMs);
      await realPause(2);
    }
  };
  return {
    app,
    clock,
    logs,
    sent,
    writeWatch: (id, body) => writeFileSync(join(watchesDir, `${id}.json`), JSON.stringify(body)),
    async execute(id) {
      await app.reload();
      let result: WatchLogRecord | undefined;
      let error: unknown;
      const p = app.watches.execute('_main', id, {}).then(
        (r) => void (result = r),
        (e) => void (error = e ?? new Error('rejected')),
      );
      await drive(() => result !== undefined || error !== undefined);
      await p;
      if (error) throw error;
      if (!result) throw new Error('run did not finish');
      // A later execute of the same watch must get a new scheduled time (and so a new idempotency key).
      await clock.advance(1000);
      return result;
    },
    drive,
    async close() {
      await app.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A webhook watch that does not fire by itself within a test (`interval: 1d`: its first fire, spread by
 * a hash of its id, is over 1.5 h of fake time away for the ids the tests use); tests run it with `execute`.
 */
export function webhookWatch(url: string, extra: Record<string, unknown> = {}, schedule: Record<string, unknown> = { interval: '1d' }): unknown {
  return { trigger: { schedule }, checks: [], actions: [{ type: 'webhook', name: 'hook', request: { url, body: 'fired' }, ...extra }] };
}

