/**
 * Runs the real daemon (`node src/main.ts run`) as a child process for acceptance tests: the same
 * entry point, signal handling and state directory an operator gets. Readiness is the "vigil is
 * running" log line (emitted after the scheduler started and the API listens) confirmed by
 * `GET /_vigil/health` → 200; the API port is read from fastify's "Server listening at" line, so the
 * daemon listens on an OS-chosen port (`--listen 127.0.0.1:0`) and no port is guessed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/main.ts');

/**
 * Node's on-disk compile cache (it covers type-stripped TypeScript too). Startup is mostly module
 * compilation; sharing the cache across spawns roughly halves it, which is what makes a 100-kill loop fit
 * in a few minutes. Node validates entries by content hash, so a stale cache is never used.
 */
const COMPILE_CACHE = join(tmpdir(), 'vigil-test-compile-cache');

export interface DaemonOptions {
  dataDir: string;
  watchesDir: string;
  accountsDir?: string;
  /**
   * Added to a clean environment (the parent's VIGIL_* variables are not inherited). Readiness and the
   * port come from info-level lines, so VIGIL_LOG_LEVEL must be `info` or more verbose (the default).
   */
  env?: Record<string, string>;
  /** Default `127.0.0.1:0`. */
  listen?: string;
  /** Extra `run` flags. */
  args?: string[];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Daemon {
  readonly pid: number;
  /** Raw stdout lines, in order (pino JSON). */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Stdout lines that parse as JSON. */
  logs(): Array<Record<string, any>>;
  /** `http://127.0.0.1:PORT` once the API listens (empty before). */
  readonly url: string;
  /** Resolves when the daemon is ready (see the module comment); rejects if it exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves with the first log record matching `pred` (past ones included); rejects on exit or timeout. */
  waitForLog(pred: (rec: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  readonly exited: Promise<Exit>;
  /** Sends a signal (no-op once the process has exited). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<Exit>;
}

/** Starts the daemon without waiting; call `ready()`. */
export function spawnDaemon(o: DaemonOptions): Daemon {
  mkdirSync(COMPILE_CACHE, { recursive: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VIGIL_') && !k.startsWith('VITEST')) env[k] = v;
  Object.assign(env, { VIGIL_EGRESS_ALLOW: '127.0.0.1', VIGIL_LOG_LEVEL: 'info', NODE_COMPILE_CACHE: COMPILE_CACHE }, o.env ?? {});
  const args = [MAIN, 'run', '--data', o.dataDir, '--watches', o.watchesDir, '--listen', o.listen ?? '127.0.0.1:0'];
  if (o.accountsDir) args.push('--accounts', o.accountsDir);
  args.push(...(o.args ?? []));
  const child: ChildProcess = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

  const stdout: string[] = [];
  const stderr: string[] = [];
  const parsed: Array<Record<string, any>> = [];
  const listeners = new Set<() => void>();
  let url = '';
  let done: Exit | undefined;
  const notify = () => listeners.forEach((l) => l());

  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    try {
      const rec = JSON.parse(line) as Record<string, any>;
      parsed.push(rec);
      const m = typeof rec.msg === 'string' ? /^Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(rec.msg) : null;
      if (m) url = m[1]!;
    } catch {
      // Not a log record (a stack trace, say): kept in stdout only.
    }
    notify();
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    notify();
  });
  // 'close' (not 'exit'): every line of output has been read by then.
  const exited = new Promise<Exit>((res) => child.once('close', (code, signal) => res((done = { code, signal }))));
  void exited.then(notify);

  const waitForLog = (pred: (r: Record<string, any>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, any>>((res, rej) => {
      let i = 0;
      const check = () => {
        for (; i < parsed.length; i++) if (pred(parsed[i]!)) return finish(() => res(parsed[i]!));
        if (done) finish(() => rej(new Error(`daemon exited (${JSON.stringify(done)}) before the expected log line; stderr: ${stderr.join('\n').slice(0, 2000)}`)));
      };
      const timer = setTimeout(() => finish(() => rej(new Error(`no expected log line within ${timeoutMs} ms; stderr: ${stderr.join('\n').slice(0, 2000)}`))), timeoutMs);
      const finish = (f: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });

  const d: Daemon = {
    pid: child.pid!,
    stdout,
    stderr,
    logs: () => parsed,
    get url() {
      return url;
    },
    async ready(timeoutMs = 30_000) {
      await waitForLog((r) => r.msg === 'vigil is running', timeoutMs);
      const res = await fetch(`${url}/_vigil/health`);
      await res.body?.cancel();
      if (res.status !== 200) throw new Error(`health answered ${res.status}`);
    },
    waitForLog,
    exited,
    kill(signal) {
      if (!done && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      d.kill('SIGTERM');
      return exited;
    },
  };
  return d;
}

/** Spawns the daemon and waits until it is ready. */
export async function startDaemon(o: DaemonOptions, timeoutMs = 30_000): Promise<Daemon> {
  const d = spawnDaemon(o);
  try {
    await d.ready(timeoutMs);
  } catch (e) {
    d.kill('SIGKILL');
    await d.exited;
    throw e;
  }
  return d;
}
