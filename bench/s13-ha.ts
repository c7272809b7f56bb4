/**
 * HA: several daemons sharing the watches through the cluster backend, against one daemon on the same
 * backend in the same run. The test cluster and the webhook sink (bench/ha-receiver.ts) are processes
 * of their own on the peers' core; the daemons are real `vigil run` processes, not pinned (three
 * daemons on one core did not even start beside each other at 10 000 watches).
 *
 *  1. one daemon (baseline), BENCH_HA_WATCHES watches every 10 s (a webhook per run, the body carrying
 *     the scheduled time), warm-up then a window: receipts/s, trigger lag at the receiver, requests/s
 *     it sends the cluster (a preloaded counter: bench/lib/count-requests.ts);
 *  2. three daemons on a fresh index prefix, the same watches, the same window (each prefix gets the
 *     watches straight into its watch index, not through a watches folder);
 *  3. BENCH_HA_KILLS SIGKILLs of one of the three in turn: time from the kill to the first receipt of a
 *     run of one of its watches (owners by the daemons' own rendezvous hashing), then a restart.
 * Ratios: three daemons ÷ one. Gates: takeover max ≤ lease + 1 interval + 1 heartbeat (the issue's
 * 15 s with the defaults, plus a third of the lease for the heartbeat that notices); no receipt lost
 * in the windows is not gated (a loaded 2-core machine may fall behind; the figures say so).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Rendezvous } from '../src/schedule/ownership.ts';
import { createDocStore } from '../src/cluster/docstore.ts';
import type { BulkOp } from '../src/cluster/docstore-types.ts';
import { silentLogger } from '../src/log.ts';
import { ensureIndices } from '../src/state/cluster/setup.ts';
import { indexNames } from '../src/state/cluster/names.ts';
import { sourceVersion } from '../src/watches/repository.ts';
import { watchDocId } from '../src/watches/cluster-repository.ts';
import { cores, nodeCommand, REPO, startPeer, type Peer } from './lib/procs.ts';
import { gate, haLimitMs, round, sleep, type ScenarioResult } from './lib/result.ts';

const LEASE_MS = 10_000;
/** Every daemon process started, stopped at the end whatever happened. */
const started: ChildProcess[] = [];
const INTERVAL_MS = 10_000;

interface Daemon {
  name: string;
  child: ChildProcess;
  countFile: string;
  ready: Promise<void>;
}

/** The watches straight into the prefix's watch index with `_bulk` (set-up, not measured: applying a folder is three requests a file). */
async function putWatches(clusterUrl: string, prefix: string, count: number, hookUrl: string): Promise<void> {
  const ds = createDocStore({ name: 'bench', urls: [clusterUrl] }, silentLogger());
  try {
    const names = indexNames(prefix);
    await ensureIndices(ds, names, silentLogger());
    let ops: BulkOp[] = [];
    for (let i = 0; i < count; i++) {
      const ref = { tenant: '_main', id: `w${String(i).padStart(5, '0')}` };
      const text = JSON.stringify(watchOf(hookUrl));
      ops.push({ op: 'index', index: names.watches, id: watchDocId(ref), document: { tenant: ref.tenant, watch_id: ref.id, source: text, version: sourceVersion(text), origin: 'api', written_by: 'bench', deleted: false, updated_at: Date.now() } });
      if (ops.length === 1000 || i === count - 1) {
        const failed = (await ds.bulk(ops)).filter((r) => !r.ok);
        if (failed.length) throw new Error(`bench watches: ${failed.length} not indexed`);
        ops = [];
      }
    }
  } finally {
    await ds.close();
  }
}

function watchOf(hookUrl: string): Record<string, unknown> {
  return {
    trigger: { schedule: { interval: '10s' } },
    checks: [],
    actions: [{ type: 'webhook', name: 'hook', request: { method: 'POST', url: `${hookUrl}/hook`, headers: { 'Content-Type': 'application/json' }, body: '{"w": "{{watch.id}}", "scheduled": "{{trigger.scheduled_time}}"}' } }],
  };
}

/** A `vigil run` process; `watchesDir` does not exist, so the watches are those of the cluster. */
function startDaemon(root: string, name: string, config: string, watchesDir: string, clusterHost: string, readyWithinMs = 300_000): Daemon {
  const countFile = join(root, `count-${name}-${Date.now()}.json`);
  const { cmd, args } = nodeCommand(['--import', './bench/lib/count-requests.ts', 'src/main.ts', 'run', '--config', config, '--watches', watchesDir, '--data', join(root, `data-${name}`), '--listen', '127.0.0.1:0'], undefined);
  const env = { ...process.env, VIGIL_NODE_NAME: name, VIGIL_EGRESS_ALLOW: '127.0.0.1', VIGIL_LOG_LEVEL: 'info', BENCH_CLUSTER_HOST: clusterHost, BENCH_COUNT_FILE: countFile };
  const child = spawn(cmd, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  const logTo = process.env.BENCH_HA_LOGS ? createWriteStream(join(process.env.BENCH_HA_LOGS, `${name}-${Date.now()}.log`)) : null;
  if (logTo) child.stdout!.pipe(logTo);
  const ready = new Promise<void>((resolve, reject) => {
    // Read by the caller; a daemon that never came up must not crash the worker before it is awaited.
    const timer = setTimeout(() => {
      // Not waited for any longer: it must not come up later beside its replacement.
      child.kill('SIGKILL');
      reject(new Error(`${name}: not running after ${readyWithinMs / 1000} s`));
    }, readyWithinMs);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it ran`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"vigil is running"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  ready.catch(() => undefined);
  return { name, child, countFile, ready };
}

const counts = (d: Daemon): { state: number; byKind: Record<string, number> } => {
  try {
    const c = JSON.parse(readFileSync(d.countFile, 'utf8')) as { state: number; byKind?: Record<string, number> };
    return { state: c.state, byKind: c.byKind ?? {} };
  } catch {
    return { state: 0, byKind: {} };
  }
};
const requests = (d: Daemon): number => counts(d).state;

/** Requests/s per kind over the window, all daemons together, largest first. */
function kindsPerS(before: Array<Record<string, number>>, after: Array<Record<string, number>>, seconds: number): Record<string, number> {
  const sum: Record<string, number> = {};
  after.forEach((a, i) => {
    for (const [k, n] of Object.entries(a)) sum[k] = (sum[k] ?? 0) + n - (before[i]![k] ?? 0);
  });
  return Object.fromEntries(Object.entries(sum).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]).map(([k, n]) => [k, round(n / seconds, 1)]));
}

async function stats(hook: Peer, reset = false): Promise<{ count: number; unique: number; p50: number; p99: number; max: number }> {
  return (await (await fetch(`${hook.url}/_stats${reset ? '?reset=1' : ''}`)).json()) as { count: number; unique: number; p50: number; p99: number; max: number };
}

async function stopDaemon(d: Daemon): Promise<void> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  const exited = new Promise((r) => d.child.once('exit', r));
  d.child.kill('SIGTERM');
  const t = setTimeout(() => d.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

/** Starts `names` on a fresh prefix (the first applies the watches folder), warms up, measures a window. */
async function fleetWindow(o: { root: string; clusterUrl: string; hook: Peer; names: string[]; watches: number; seconds: number; warmup: number }) {
  const prefix = `ha-${o.names.length}-${Date.now() % 100_000}`;
  await putWatches(o.clusterUrl, prefix, o.watches, o.hook.url);
  const config = join(o.root, `${prefix}.json`);
  writeFileSync(config, JSON.stringify({ clusters: { default: { urls: [o.clusterUrl] } }, state: { backend: 'cluster', index_prefix: prefix } }));
  const host = new URL(o.clusterUrl).host;
  const empty = join(o.root, 'no-watches-here');
  const daemons: Daemon[] = [];
  for (const n of o.names) daemons.push(startDaemon(o.root, n, config, empty, host));
  await Promise.all(daemons.map((d) => d.ready));
  await sleep(o.warmup * 1000);
  await stats(o.hook, true);
  const req0 = daemons.map(requests);
  const kinds0 = daemons.map((d) => counts(d).byKind);
  await sleep(o.seconds * 1000);
  const s = await stats(o.hook, true);
  const perDaemon = daemons.map((d, i) => round((requests(d) - req0[i]!) / o.seconds, 1));
  const requestKindsPerS = kindsPerS(kinds0, daemons.map((d) => counts(d).byKind), o.seconds);
  return { prefix, config, host, empty, daemons, receiptsPerS: round(s.count / o.seconds, 1), runsPerS: round(s.unique / o.seconds, 1), lagP50Ms: s.p50, lagP99Ms: s.p99, lagMaxMs: s.max, requestsPerSPerDaemon: perDaemon, requestKindsPerS };
}

export async function runHaBench(o: { seconds: number; watches: number }): Promise<ScenarioResult> {
  const kills = Number(process.env.BENCH_HA_KILLS ?? 10);
  // Past the start-up: for two leases after a daemon gains watches (a start gains them all) each send of
  // them first looks for earlier entries their previous owner may still decide; the window measures the
  // steady state after it (a run with BENCH_WARMUP=15 shows that transient).
  const warmup = Number(process.env.BENCH_WARMUP ?? 30);
  // Kills start only while there is time left for one (a takeover wait, restarts) and the stop after it.
  const killsUntil = Date.now() + haLimitMs(o.seconds) - 300_000;
  const root = mkdtempSync(join(tmpdir(), 'vigil-bench-ha-'));
  const cluster = await startPeer(['test/cluster/main.ts', '--flavour', 'es9', '--port', '0'], cores()?.peers);
  const hook = await startPeer(['bench/ha-receiver.ts'], cores()?.peers);
  const live: Daemon[] = [];
  try {
    const ids = Array.from({ length: o.watches }, (_, i) => `w${String(i).padStart(5, '0')}`);

    const one = await fleetWindow({ root, clusterUrl: cluster.url, hook, names: ['solo'], watches: o.watches, seconds: o.seconds, warmup });
    for (const d of one.daemons) await stopDaemon(d);

    const names = ['ha1', 'ha2', 'ha3'];
    const three = await fleetWindow({ root, clusterUrl: cluster.url, hook, names, watches: o.watches, seconds: o.seconds, warmup });
    live.push(...three.daemons);
    const owners = new Rendezvous(names);
    const takeovers: number[] = [];
    const restartFailures: string[] = [];
    for (let k = 0; k < kills && Date.now() < killsUntil; k++) {
      const i = k % names.length;
      const victim = live[i]!;
      const theirs = ids.filter((id) => owners.owner(`_main/${id}`) === victim.name);
      const killedAt = Date.now();
      await fetch(`${hook.url}/_track`, { method: 'POST', body: JSON.stringify({ ids: theirs, after: killedAt }) });
      victim.child.kill('SIGKILL');
      let first: number | null = null;
      while (first === null && Date.now() - killedAt < 60_000) {
        await sleep(100);
        first = ((await (await fetch(`${hook.url}/_track`)).json()) as { first: number | null }).first;
      }
      takeovers.push(first === null ? Infinity : first - killedAt);
      // Back under the same name: it takes its watches (and its predecessor's claims) back. A start that
      // fails (the cluster too slow to answer in time on a loaded machine) is tried again, as a
      // supervisor would, and counted; after three the kills end there and the result says so.
      let back = false;
      for (let attempt = 1; attempt <= 3 && !back; attempt++) {
        const again = startDaemon(root, victim.name, three.config, three.empty, three.host, 60_000);
        live[i] = again;
        back = await again.ready.then(() => true, (e: unknown) => (restartFailures.push(`${victim.name}: ${(e as Error).message}`), false));
      }
      if (!back) break;
      await sleep(5_000);
    }
    // In kill order in the result (a takeover that grows kill after kill shows there).
    const sorted = [...takeovers].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? Infinity;
    const max = sorted.at(-1) ?? Infinity;
    const total3 = three.requestsPerSPerDaemon.reduce((a, b) => a + b, 0);
    const bound = LEASE_MS + INTERVAL_MS + Math.floor(LEASE_MS / 3);
    return {
      scenario: 'HA',
      title: `three daemons share ${o.watches} watches @ 10 s through the cluster backend; ${kills} SIGKILLs`,
      seconds: o.seconds,
      gates: [gate('takeover after SIGKILL, max', max, '<=', bound, 'ms'), gate('throughput (distinct runs) vs one daemon', round(three.runsPerS / one.runsPerS, 2), '>=', 0.9, '×')],
      pass: max <= bound && three.runsPerS / one.runsPerS >= 0.9,
      measured: {
        expectedPerS: o.watches / (INTERVAL_MS / 1000),
        three: { runsPerS: three.runsPerS, receiptsPerS: three.receiptsPerS, lagP50Ms: three.lagP50Ms, lagP99Ms: three.lagP99Ms, lagMaxMs: three.lagMaxMs, requestsPerSPerDaemon: three.requestsPerSPerDaemon, requestKindsPerS: three.requestKindsPerS },
        takeoverMs: { p50, max, all: takeovers },
        restartFailures,
      },
      baseline: { description: 'one daemon on the cluster backend, same watches, same machine, same run', runsPerS: one.runsPerS, receiptsPerS: one.receiptsPerS, lagP50Ms: one.lagP50Ms, lagP99Ms: one.lagP99Ms, lagMaxMs: one.lagMaxMs, requestsPerS: one.requestsPerSPerDaemon[0], requestKindsPerS: one.requestKindsPerS },
      ratios: {
        throughput: round(three.runsPerS / one.runsPerS, 2),
        lagP99: round(three.lagP99Ms / Math.max(1, one.lagP99Ms), 2),
        requestsPerSAllDaemons: round(total3 / Math.max(1, one.requestsPerSPerDaemon[0]!), 2),
        requestsPerSEachDaemon: round(Math.max(...three.requestsPerSPerDaemon) / Math.max(1, one.requestsPerSPerDaemon[0]!), 2),
      },
      notes: [
        `lease ${LEASE_MS} ms (default); takeover = SIGKILL to the first receipt of a run of one of the victim's watches scheduled after it`,
        ...(takeovers.length < kills ? [`${takeovers.length} of ${kills} kills: a victim could not be restarted (restartFailures), or no time was left for another`] : []),
      ],
    };
  } finally {
    await Promise.all(live.map(stopDaemon));
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await hook.stop();
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
