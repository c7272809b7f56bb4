/**
 * `npm run bench`: runs the scenarios of bench/README.md (S1, S2, S6, S10, S12) in sequence, each in
 * its own Node process pinned to core 0 (peers go to core 1), prints a summary table and writes
 * bench/results/<timestamp>.json and bench/results/latest.json.
 *
 * Env: BENCH_SECONDS (measurement window per scenario, default 30; shorter windows are too noisy), BENCH_WATCHES (default 10 000),
 * BENCH_SCENARIOS (comma list, default S1,S2,S2C,S6,S10,S12,HA), BENCH_NO_PIN=1 (no taskset).
 * Exit code: 0 when every gate passed, 1 otherwise, 2 when a scenario crashed.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { cores, nodeCommand, REPO } from './lib/procs.ts';
import { gate, haLimitMs, type Gate, type ScenarioResult } from './lib/result.ts';

const ALL = ['S1', 'S2', 'S2C', 'S6', 'S10', 'S12', 'HA'];
const scenarios = (process.env.BENCH_SCENARIOS ?? ALL.join(',')).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
/** A scenario that takes far longer than this is stuck (S2 needs ~2× its window plus ~30 s of set-up). */
const hardLimitMs = (3 * seconds + 120) * 1000;
/** HA starts two fleets (each applying the watches folder to the cluster) and restarts a daemon per kill. */
const limitOf = (name: string): number => (name === 'HA' ? haLimitMs(seconds) : hardLimitMs);

interface Failure {
  scenario: string;
  error: string;
}

function runWorker(name: string): Promise<ScenarioResult | Failure> {
  const { cmd, args } = nodeCommand(['--expose-gc', 'bench/worker.ts', name], cores()?.daemon);
  return new Promise((resolve) => {
    // Its own process group, so a stuck worker is killed together with the peers it started.
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], env: process.env, detached: true });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), limitOf(name));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code === 0) return resolve(JSON.parse(last) as ScenarioResult);
      } catch {
        // Falls through to the failure below.
      }
      resolve({ scenario: name, error: signal ? `killed by ${signal} (limit ${limitOf(name) / 1000} s)` : `exit code ${code}: ${last.slice(0, 300)}` });
    });
  });
}

/** The cluster backend's target: at most this many times SQLite's CPU per execution, S2C against S2 of the same run. */
const CLUSTER_CPU_RATIO = 1.5;

/** Adds to S2C its CPU per execution against S2's (same run, same machine state) as a gate. */
function compareBackends(results: Array<ScenarioResult | Failure>): void {
  const find = (name: string) => results.find((r): r is ScenarioResult => r.scenario === name && !('error' in r));
  const [sqlite, cluster] = [find('S2'), find('S2C')];
  if (!cluster) return;
  if (!sqlite) {
    cluster.notes.push('no S2 (SQLite) in this run: the CPU ratio of the backends is not measured');
    return;
  }
  const perExec = (r: ScenarioResult) => Number(r.measured.cpuUsPerExec);
  const ratio = Math.round((perExec(cluster) / perExec(sqlite)) * 100) / 100;
  cluster.ratios.cpuPerExecVsSqliteS2 = ratio;
  cluster.gates.push(gate('CPU per execution vs S2 (SQLite)', ratio, '<=', CLUSTER_CPU_RATIO, '×'));
  cluster.pass = cluster.gates.every((g) => g.pass);
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? String(Math.round(n)) : String(Math.round(n * 100) / 100));

function gateLine(g: Gate): string {
  const stretch = g.stretch === undefined ? '' : ` (stretch ${g.op} ${fmt(g.stretch)})`;
  return `${g.pass ? 'pass' : 'FAIL'}  ${g.metric.padEnd(34)} ${fmt(g.value).padStart(9)} ${g.op} ${fmt(g.limit)} ${g.unit}${stretch}`;
}

function printSummary(results: Array<ScenarioResult | Failure>): void {
  const lines: string[] = ['', '== Vigil benchmarks ' + '='.repeat(60)];
  for (const r of results) {
    if ('error' in r) {
      lines.push(`${r.scenario}  CRASHED: ${r.error}`);
      continue;
    }
    lines.push(`${r.scenario.padEnd(4)} ${r.pass ? 'PASS' : 'FAIL'}  ${r.title}`);
    for (const g of r.gates) lines.push(`       ${gateLine(g)}`);
    const ratios = Object.entries(r.ratios).map(([k, v]) => `${k} ${fmt(v)}×`);
    if (ratios.length) lines.push(`       ratios: ${ratios.join(', ')}`);
    lines.push(`       baseline: ${r.baseline.description}`);
    for (const n of r.notes) lines.push(`       note: ${n}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

const startedAt = new Date();
const pin = cores();
process.stderr.write(
  `bench: ${scenarios.join(', ')}; ${seconds} s per scenario; ${pin ? `daemon on core ${pin.daemon}, peers on core ${pin.peers}` : 'no CPU pinning'}\n`,
);
const results: Array<ScenarioResult | Failure> = [];
for (const name of scenarios) {
  const t0 = performance.now();
  process.stderr.write(`bench: ${name} …\n`);
  const r = await runWorker(name);
  process.stderr.write(`bench: ${name} ${'error' in r ? 'crashed' : r.pass ? 'passed' : 'failed'} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  results.push(r);
}
compareBackends(results);
printSummary(results);

const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, pinned: pin },
  settings: { seconds, watches: Number(process.env.BENCH_WATCHES ?? 10_000), scenarios },
  pass: results.every((r) => !('error' in r) && r.pass),
  results,
};
const dir = join(REPO, 'bench', 'results');
await mkdir(dir, { recursive: true });
const json = JSON.stringify(report, null, 2) + '\n';
const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, json);
await writeFile(join(dir, 'latest.json'), json);
process.stdout.write(`\nresults: ${file} (and bench/results/latest.json)\n`);
process.exitCode = results.some((r) => 'error' in r) ? 2 : report.pass ? 0 : 1;
