/**
 * Acceptance: the lifecycle of the real daemon (child process): SIGTERM drains within the grace
 * period, SIGHUP reloads without re-notifying, one daemon per data directory, a SIGKILL leaves no
 * lock behind, and a listen address that is taken ends the start before any watch fires.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnDaemon, startDaemon, type Daemon, type DaemonOptions } from '../kit/daemon.ts';

let root: string;
let opts: DaemonOptions;
const daemons: Daemon[] = [];
const servers: Server[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vigil-life-'));
  opts = { dataDir: join(root, 'data'), watchesDir: join(root, 'watches') };
  mkdirSync(opts.watchesDir);
});
afterEach(async () => {
  for (const d of daemons.splice(0)) {
    d.kill('SIGKILL');
    await d.exited;
  }
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(root, { recursive: true, force: true });
});

const track = (d: Daemon) => (daemons.push(d), d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await sleep(10);
  return cond();
}

/** A webhook peer: records Idempotency-Keys; `behave` decides per request (answer now, later, never). */
async function peer(behave: (n: number, res: ServerResponse) => void) {
  const keys: string[] = [];
  const answered: string[] = [];
  const s = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      keys.push(key);
      res.on('finish', () => answered.push(key));
      behave(keys.length, res);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, keys, answered };
}

function watch(id: string, url: string, extra: Record<string, unknown> = {}): void {
  writeFileSync(
    join(opts.watchesDir, `${id}.json`),
    JSON.stringify({ trigger: { schedule: { interval: '1s' } }, checks: [], actions: [{ type: 'webhook', name: 'hook', request: { url, body: 'x' }, ...extra }] }),
  );
}

function outbox(): Array<{ key: string; status: string }> {
  const db = new DatabaseSync(join(opts.dataDir, 'vigil.db'), { readOnly: true });
  try {
    return db.prepare('SELECT key, status FROM outbox').all() as Array<{ key: string; status: string }>;
  } finally {
    db.close();
  }
}

const dups = (keys: string[]) => keys.length - new Set(keys).size;

describe('SIGTERM', () => {
  it('during a slow delivery: the delivery finishes, exit 0 within the grace period, nothing re-sent after restart', async () => {
    const p = await peer((_n, res) => setTimeout(() => res.end('ok'), 1500));
    watch('slow', `${p.url}/slow`);
    const d = track(await startDaemon(opts));
    expect(await until(() => p.keys.length === 1, 10_000)).toBe(true);
    const t0 = Date.now();
    d.kill('SIGTERM');
    const exit = await d.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(p.answered).toContain(p.keys[0]);
    expect(outbox().filter((r) => r.status !== 'delivered')).toEqual([]);

    const again = track(await startDaemon(opts));
    await sleep(1500);
    expect((await again.stop()).code).toBe(0);
    expect(dups(p.keys)).toBe(0);
  });

  it('with a receiver that never answers: exit 0 after the grace period; the entry stays pending and is sent once after restart', async () => {
    const p = await peer((n, res) => (n === 1 ? undefined : res.end('ok')));
    watch('hang', `${p.url}/hang`, { throttle_period: '1h' });
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ delivery: { shutdown_grace_ms: 1000 } }));
    const d = track(await startDaemon({ ...opts, args: ['--config', config] }));
    expect(await until(() => p.keys.length === 1, 10_000)).toBe(true);
    const t0 = Date.now();
    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    // Grace 1 s, plus closing the store and the process exit; not the 10 s read timeout.
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(outbox()).toEqual([{ key: p.keys[0], status: 'pending' }]);

    const again = track(await startDaemon({ ...opts, args: ['--config', config] }));
    expect(await until(() => p.answered.length === 1, 10_000)).toBe(true);
    await sleep(500);
    expect((await again.stop()).code).toBe(0);
    expect(p.keys).toEqual([p.keys[0], p.keys[0]]);
    expect(outbox()).toEqual([{ key: p.keys[0], status: 'delivered' }]);
  });
});

describe('SIGTERM with work that would outlast it', () => {
  it('a webhook through a proxy that never answers, a watch due every second, a slow API client: no fire after the signal, exit 0 within the grace period, the entry pending', async () => {
    // A proxy that accepts connections and never answers a CONNECT.
    const held: Socket[] = [];
    const proxy = createTcpServer((s) => (held.push(s), s.on('error', () => undefined), s.resume()));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const beats: number[] = [];
    const beat = createServer((req, res) => (req.resume(), req.on('end', () => (beats.push(Date.now()), res.end('ok')))));
    servers.push(beat);
    await new Promise<void>((r) => beat.listen(0, '127.0.0.1', r));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      watch('proxied', 'http://127.0.0.1:9/never', { proxy: proxyUrl, throttle_period: '1h' });
      writeFileSync(
        join(opts.watchesDir, 'beat.json'),
        JSON.stringify({
          trigger: { schedule: { cron: '* * * * * ?' } },
          checks: [],
          actions: [{ type: 'webhook', name: 'hook', request: { url: `http://127.0.0.1:${(beat.address() as AddressInfo).port}/beat`, body: 'x' } }],
        }),
      );
      const grace = 2_000;
      const config = join(root, 'config.json');
      writeFileSync(config, JSON.stringify({ delivery: { shutdown_grace_ms: grace } }));
      const d = track(await startDaemon({ ...opts, args: ['--config', config] }));
      expect(await until(() => held.length >= 1 && beats.length >= 2, 10_000)).toBe(true);
      // A client that never finishes its request headers: the API server cannot close gracefully.
      const slow = connect(Number(new URL(d.url).port), '127.0.0.1');
      slow.on('error', () => undefined);
      slow.write('GET /_vigil/health HTTP/1.1\r\nHost: x\r\n');
      await sleep(200);

      const t0 = Date.now();
      d.kill('SIGTERM');
      const exit = await Promise.race([d.exited, sleep(20_000).then(() => 'timeout' as const)]);
      const elapsed = Date.now() - t0;
      slow.destroy();
      expect(exit).toMatchObject({ code: 0 });
      // The grace period, then closing the store and the process exit.
      expect(elapsed).toBeLessThan(grace + 3_000);
      // Scheduling stopped with the signal (a run already under way may still deliver within a few ms).
      expect(beats.filter((at) => at > t0 + 250)).toEqual([]);
      const db = new DatabaseSync(join(opts.dataDir, 'vigil.db'), { readOnly: true });
      try {
        expect(db.prepare("SELECT status FROM outbox WHERE watch_id = 'proxied'").all()).toEqual([{ status: 'pending' }]);
      } finally {
        db.close();
      }
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => proxy.close(r));
    }
  }, 40_000);
});

describe('SIGHUP', () => {
  it('reloads while an alert is active without notifying again', async () => {
    const p = await peer((_n, res) => res.end('ok'));
    watch('alert', `${p.url}/alert`, { throttle_period: '1h' });
    const d = track(await startDaemon(opts));
    // Started on port 0: the ready line names the port the OS chose, the one the API answers on.
    expect(d.logs().find((r) => r.msg === 'vigil is running')?.listen).toBe(new URL(d.url).host);
    expect(await until(() => p.answered.length === 1, 10_000)).toBe(true);
    d.kill('SIGHUP');
    await d.waitForLog((r) => r.msg === 'watches reloaded', 10_000);
    // Three more fires of the 1 s interval: each is throttled, none re-notifies.
    await sleep(3000);
    expect((await d.stop()).code).toBe(0);
    expect(p.keys).toHaveLength(1);
  });
});

describe('the data directory lock', () => {
  it('a second daemon on the same data directory exits non-zero naming the pid that holds it', async () => {
    const first = track(await startDaemon(opts));
    const second = track(spawnDaemon(opts));
    const exit = await second.exited;
    expect(exit.code).not.toBe(0);
    expect(second.stderr.join('\n')).toMatch(new RegExp(`locked by pid ${first.pid}\\b`));
    // The first one is unharmed.
    expect((await fetch(`${first.url}/_vigil/health`)).status).toBe(200);
  });

  it('a daemon killed with SIGKILL does not block the next start', async () => {
    const first = track(await startDaemon(opts));
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const next = track(await startDaemon(opts));
    expect((await fetch(`${next.url}/_vigil/health`)).status).toBe(200);
    expect((await next.stop()).code).toBe(0);
  });
});

describe('a listen address in use', () => {
  it('exits non-zero with one line on stderr, before any watch fires, and releases the data directory', async () => {
    // Something else holds the port (not a Vigil: no lock involved).
    const squatter = createTcpServer(() => undefined);
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const p = await peer((_n, res) => res.end('ok'));
      // Due every second: a daemon that scheduled its watches before binding would send within one.
      writeFileSync(
        join(opts.watchesDir, 'eager.json'),
        JSON.stringify({ trigger: { schedule: { cron: '* * * * * ?' } }, checks: [], actions: [{ type: 'webhook', name: 'hook', request: { url: `${p.url}/eager`, body: 'x' } }] }),
      );
      const d = track(spawnDaemon({ ...opts, listen: `127.0.0.1:${port}` }));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000));
      const exit = await Promise.race([d.exited, timeout]);
      expect(exit).not.toBe('timeout');
      expect((exit as { code: number | null }).code).not.toBe(0);
      expect(d.stderr).toEqual([`vigil run: cannot listen on 127.0.0.1:${port}: address already in use`]);
      expect(d.logs().some((r) => r.msg === 'vigil is running')).toBe(false);
      await sleep(1500);
      expect(p.keys).toEqual([]);
      // The lock went with it: the next daemon on the same data directory starts.
      const next = track(await startDaemon(opts));
      expect((await next.stop()).code).toBe(0);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
