/**
 * Child processes of a benchmark: the test cluster and the webhook sink run outside the daemon's
 * process, pinned with `taskset` to the core the daemon is not on when there are two or more cores,
 * so their CPU is neither charged to nor stolen from the daemon.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/**
 * Cores: the daemon (and micro benchmarks) on `daemon`, peers on `peers`; null when pinning is off.
 * Counts the machine's cores, not this process's affinity: the scenario worker already runs pinned to
 * one core, where `availableParallelism()` says 1 — which once left the peers on the daemon's core.
 */
export function cores(): { daemon: number; peers: number } | null {
  if (!hasTaskset || cpus().length < 2 || process.env.BENCH_NO_PIN === '1') return null;
  return { daemon: 0, peers: 1 };
}

/** `node <args>` under `taskset -c <cpu>` when pinning is possible. */
export function nodeCommand(args: string[], cpu: number | undefined): { cmd: string; args: string[] } {
  return cpu === undefined || !hasTaskset ? { cmd: process.execPath, args } : { cmd: 'taskset', args: ['-c', String(cpu), process.execPath, ...args] };
}

export interface Peer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process that prints `{"url": ...}` as its first stdout line, and waits for that line. */
export async function startPeer(args: string[], cpu: number | undefined, timeoutMs = 15_000): Promise<Peer> {
  const { cmd, args: full } = nodeCommand(args, cpu);
  const child = spawn(cmd, full, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: no URL within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before printing its URL`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`${args.join(' ')}: unexpected first line ${line}`));
      }
    });
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The test cluster (ES 9 flavour, sample data) with a fixed response latency, answering repeated `size: 0`
 * searches from its request cache as Elasticsearch does (test/cluster/request-cache.ts): evaluating each
 * one made it stall 25–50 ms a few times a window, and those stalls were S2's worst lags.
 */
export function startCluster(latencyMs: number): Promise<Peer> {
  return startPeer([...peerProfileFlags(), 'test/cluster/main.ts', '--flavour', 'es9', '--port', '0', '--latency-ms', String(latencyMs), '--sample', '--request-cache'], cores()?.peers);
}

let profiledClusters = 0;

/**
 * `BENCH_PEER_PROFILE=FILE`: the test cluster writes a CPU profile of its whole life to FILE when it is
 * stopped (a second cluster of the same scenario to FILE.2, and so on); `node bench/lib/profile-top.ts FILE`
 * summarises it. Off by default: profiling slows the peer down.
 */
function peerProfileFlags(): string[] {
  const out = process.env.BENCH_PEER_PROFILE;
  if (!out) return [];
  profiledClusters += 1;
  const file = resolve(REPO, profiledClusters === 1 ? out : `${out}.${profiledClusters}`);
  return ['--cpu-prof', `--cpu-prof-dir=${dirname(file)}`, `--cpu-prof-name=${basename(file)}`];
}

export function startReceiver(): Promise<Peer> {
  return startPeer(['bench/receiver.ts'], cores()?.peers);
}

/** CPU seconds (user + system) a child has used so far, from /proc (Linux); null elsewhere. */
export async function childCpuMs(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the comm field.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return null;
  }
}
