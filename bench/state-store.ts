/**
 * Micro-benchmark of the state store's run path (not part of `npm test` nor of `npm run bench`'s
 * scenarios): 1 000 runs a second over 1 000 watches, each run reading its watch's state and
 * committing the new state with a small log record, against SQLite and against the cluster backend
 * on the test cluster (Elasticsearch 9 flavour, a separate process on the other core), interleaved in
 * the same run. Reports commits/s, this process's CPU per commit and the cluster backend's ratio to
 * SQLite's, and the requests per second the cluster backend sends.
 *
 *   node bench/state-store.ts            # BENCH_SECONDS (default 10) per window, BENCH_RATE (1000) runs/s, BENCH_ROUNDS (2)
 *   taskset -c 0 node bench/state-store.ts   # pinned like the scenarios (the cluster goes to core 1)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocStore } from '../src/cluster/docstore.ts';
import type { DocStoreClient } from '../src/cluster/docstore-types.ts';
import { silentLogger } from '../src/log.ts';
import { emptyWatchState } from '../src/state/records.ts';
import { ClusterStateStore } from '../src/state/cluster/index.ts';
import { SqliteStateStore } from '../src/state/sqlite.ts';
import type { StateStore } from '../src/state/types.ts';
import { childCpuMs, cores, startPeer } from './lib/procs.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** `sqlite` or `cluster`: one backend only (profiling). */
const ONLY = process.env.BENCH_ONLY;
/** The cluster backend's batching window (default: the store's). */
const PACE_MS = process.env.BENCH_PACE_MS === undefined ? undefined : Number(process.env.BENCH_PACE_MS);
const WATCHES = 1000;
const TICK_MS = 10;

/** Counts the document-store calls (each is one HTTP request) by method. */
function counting(ds: DocStoreClient): { ds: DocStoreClient; calls: Map<string, number>; items: { bulk: number } } {
  const calls = new Map<string, number>();
  const items = { bulk: 0 };
  const proxy = new Proxy(ds, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close' || prop === 'scan') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        if (prop === 'bulk') items.bulk += (args[0] as unknown[]).length;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ds: proxy, calls, items };
}

interface Window {
  backend: string;
  commits: number;
  perSecond: number;
  cpuUsPerCommit: number;
  /** Of which in the kernel (socket and file I/O). */
  systemUsPerCommit: number;
  /** Of which on the main thread (the rest: GC helpers, the thread pool). */
  mainThreadUsPerCommit: number;
  p99Ms: number;
  requestsPerSecond?: number;
  bulkItemsPerRequest?: number;
  clusterCpuPct?: number | null;
}

async function runWindow(backend: string, store: StateStore, clusterPid?: number, counted?: ReturnType<typeof counting>): Promise<Window> {
  // Every watch ran once before: the states are known (as for a daemon that has been running).
  for (let w = 0; w < WATCHES; w++) await store.watchState.put('_main', `w${w}`, emptyWatchState('bench'));
  const runOne = async (w: number) => {
    const state = (await store.watchState.get('_main', `w${w}`)) ?? emptyWatchState('bench');
    const now = new Date().toISOString();
    state.last_status = { code: 'NO_ACTION' };
    state.last_execution = { severity: null, trigger: { scheduled_time: now, triggered_time: now }, execution_time: now };
    await store.commit({
      state: { tenant: '_main', watchId: `w${w}`, value: state },
      log: { id: `${backend}-${w}-${Math.random()}`, tenant: '_main', watch_id: `w${w}`, watch_version: '1', status: { code: 'NO_ACTION' }, execution_start: now, execution_end: now, actions: [], resolve_actions: [], node: 'bench' },
    });
  };
  const drive = async (seconds: number, measure: boolean) => {
    const latencies: number[] = [];
    const inflight = new Set<Promise<void>>();
    let next = 0;
    const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (performance.now() - started >= seconds * 1000) return clearInterval(timer), resolve();
        for (let i = 0; i < perTick; i++) {
          const t0 = performance.now();
          const p = runOne(next++ % WATCHES).then(() => void (measure && latencies.push(performance.now() - t0)));
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
        }
      }, TICK_MS);
    });
    await Promise.all(inflight);
    return { latencies, elapsed: (performance.now() - started) / 1000 };
  };
  await drive(2, false);
  counted?.calls.clear();
  if (counted) counted.items.bulk = 0;
  const clusterCpu0 = await childCpuMs(clusterPid);
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  const { latencies, elapsed } = await drive(SECONDS, true);
  const cpu = process.cpuUsage(cpu0);
  const main = process.threadCpuUsage(main0);
  const clusterCpu1 = await childCpuMs(clusterPid);
  latencies.sort((a, b) => a - b);
  const commits = latencies.length;
  const w: Window = {
    backend,
    commits,
    perSecond: Math.round(commits / elapsed),
    cpuUsPerCommit: Math.round((cpu.user + cpu.system) / commits),
    systemUsPerCommit: Math.round(cpu.system / commits),
    mainThreadUsPerCommit: Math.round((main.user + main.system) / commits),
    p99Ms: Math.round((latencies[Math.floor(commits * 0.99)] ?? 0) * 10) / 10,
  };
  if (counted) {
    const requests = [...counted.calls.values()].reduce((a, b) => a + b, 0);
    w.requestsPerSecond = Math.round(requests / elapsed);
    w.bulkItemsPerRequest = Math.round((counted.items.bulk / Math.max(1, counted.calls.get('bulk') ?? 0)) * 10) / 10;
    w.clusterCpuPct = clusterCpu0 === null || clusterCpu1 === null ? null : Math.round(((clusterCpu1 - clusterCpu0) / (elapsed * 1000)) * 100);
  }
  return w;
}

const cluster = await startPeer(['test/cluster/main.ts', '--flavour', 'es9', '--port', '0'], cores()?.peers);
const windows: Window[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    if (ONLY !== 'cluster') {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-state-'));
      const sqlite = new SqliteStateStore(dir);
      windows.push(await runWindow('sqlite', sqlite));
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    if (ONLY === 'sqlite') continue;

    const counted = counting(createDocStore({ name: 'bench', urls: [cluster.url] }, silentLogger()));
    const store = await ClusterStateStore.open({ docs: counted.ds, ownsClient: true, prefix: `bench-${round}`, node: 'bench', ...(PACE_MS !== undefined ? { writes: { paceMs: PACE_MS } } : {}) });
    windows.push(await runWindow('cluster', store, cluster.child.pid, counted));
    await store.close();
  }
} finally {
  await cluster.stop();
}
const mean = (b: string, f: (w: Window) => number) => {
  const ws = windows.filter((w) => w.backend === b);
  return ws.reduce((a, w) => a + f(w), 0) / ws.length;
};
const summary = {
  rate: RATE,
  seconds: SECONDS,
  windows,
  cpuRatioClusterToSqlite: Math.round((mean('cluster', (w) => w.cpuUsPerCommit) / mean('sqlite', (w) => w.cpuUsPerCommit)) * 100) / 100,
  clusterRequestsPerSecond: Math.round(mean('cluster', (w) => w.requestsPerSecond ?? 0)),
};
console.log(JSON.stringify(summary, null, 2));
