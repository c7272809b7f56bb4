/**
 * docs/getting-started.md, followed as a newcomer would: the real `vigil` commands (keygen, users add,
 * users token), the real daemon with VIGIL_CLUSTER_URL and VIGIL_EGRESS_ALLOW, the test cluster with its
 * sample data, a local receiver, and the page's own two watches (taken from the page by their markers):
 * one PUT over REST with the token, one written as a file and run with `_execute`. Both must reach the
 * receiver. Ports are the OS's: the page's 9200 and 9999 are replaced by the ones in use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { sampleData } from '../cluster/sample-data.ts';
import { startDaemon, type Daemon } from '../kit/daemon.ts';
import { vigil } from '../cli/spawn-vigil.ts';
import { DOCS, examplesOf } from './markdown-examples.ts';

const PAGE = join(DOCS, 'getting-started.md');
const page = readFileSync(PAGE, 'utf8');
const examples = examplesOf(page, PAGE);
const restWatch = examples.find((e) => e.kind === 'request' && e.args[1] === '/_signals/watch/_main/first-alert')!;
const fileWatch = examples.find((e) => e.kind === 'watch' && e.args[0] === 'errors.json')!;

interface Received {
  method: string;
  url: string;
  body: string;
  key: string | undefined;
}

let dir: string;
let cluster: TestCluster;
let receiver: Server;
let receiverPort: number;
const received: Received[] = [];
const waiters = new Set<() => void>();
let daemon: Daemon | undefined;

/** Resolves with the first request to `path` (past ones included); rejects after `ms`, naming what did come. */
function nextAt(path: string, ms = 20_000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`nothing reached ${path} within ${ms} ms; the receiver got ${JSON.stringify(received)}; daemon warnings: ${JSON.stringify(daemon?.logs().filter((l) => l.level >= 40))}`));
    }, ms);
    const check = () => {
      const r = received.find((x) => x.url === path);
      if (r) {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(r);
      }
    };
    waiters.add(check);
    check();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-getting-started-'));
  mkdirSync(join(dir, 'watches'));
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, body, key: req.headers['idempotency-key'] as string | undefined });
      res.end('ok');
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverPort = (receiver.address() as AddressInfo).port;
  cluster = await startTestCluster({ flavour: 'es9' });
  for (const s of sampleData(Date.now())) cluster.seed(s.index, s.docs, s.mappings);
});

afterAll(async () => {
  await daemon?.stop();
  await cluster?.close();
  await new Promise((r) => receiver?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * How the commands run: in the tour's folder, without the environment's master key, and with the
 * compile cache the daemon kit uses (most of a command's start is compiling its modules).
 */
const cli = { get cwd() { return dir; }, env: { VIGIL_MASTER_KEY: undefined, NODE_COMPILE_CACHE: join(tmpdir(), 'vigil-test-compile-cache') } };

/** A watch of the page, pointed at the ports in use. */
const localise = (text: string) => text.replaceAll('127.0.0.1:9999', `127.0.0.1:${receiverPort}`);

describe('docs/getting-started.md', () => {
  it('has the two watches the tour uses', () => {
    expect(restWatch?.text).toContain('http://127.0.0.1:9999/alerts');
    expect(fileWatch?.text).toContain('http://127.0.0.1:9999/errors');
    for (const command of ['npx vigil keygen --out vigil.key', 'npx vigil users add admin --role admin --password-stdin', 'npx vigil users token admin --key-file vigil.key', 'VIGIL_CLUSTER_URL=http://127.0.0.1:9200 VIGIL_EGRESS_ALLOW=127.0.0.1:9999 npx vigil run --key-file vigil.key', 'npx vigil validate watches/']) {
      expect(page).toContain(command);
    }
  });

  it('from a master key to two watches that fire into the receiver, as the page does it', { timeout: 90_000 }, async () => {
    // 2. A master key, a user and a token (on the data folder of a stopped daemon).
    const [keygen, added] = await Promise.all([
      vigil(['keygen', '--out', 'vigil.key'], cli),
      vigil(['users', 'add', 'admin', '--role', 'admin', '--password-stdin'], { ...cli, stdin: 'a long admin password\n' }),
    ]);
    expect(keygen.code, keygen.stderr).toBe(0);
    expect(added.code, added.stderr).toBe(0);
    const issued = await vigil(['users', 'token', 'admin', '--key-file', 'vigil.key'], cli);
    expect(issued.code, issued.stderr).toBe(0);
    const token = issued.stdout.trim();
    expect(token).toMatch(/^vgl_/);

    // 4. Run Vigil, with the cluster and the receiver's address allowed.
    daemon = await startDaemon({
      dataDir: join(dir, 'data'),
      watchesDir: join(dir, 'watches'),
      accountsDir: join(dir, 'accounts'),
      env: { VIGIL_CLUSTER_URL: cluster.url, VIGIL_EGRESS_ALLOW: `127.0.0.1:${receiverPort}` },
      args: ['--key-file', join(dir, 'vigil.key')],
    });
    const api = (path: string, init: RequestInit = {}) => fetch(`${daemon!.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    expect((await api('/_plugins/_security/api/account')).status).toBe(200);

    // 5. The watch over REST fires: within its interval of 10 s, or at once when run (recorded, so that
    // whichever comes second is throttled and the acknowledgement finds a positive check).
    const put = await api('/_signals/watch/_main/first-alert', { method: 'PUT', body: localise(restWatch.text) });
    expect(put.status, await put.clone().text()).toBe(201);
    expect((await api('/_signals/watch/_main/first-alert/_execute', { method: 'POST', body: '{"record_execution": true}' })).status).toBe(200);
    const alert = await nextAt('/alerts');
    expect(alert.method).toBe('POST');
    expect(JSON.parse(alert.body)).toEqual({ text: 'queue depth 1200 over 1000 (first-alert)' });
    expect(alert.key).toMatch(/.{16,}/);
    const acked = await api('/_signals/watch/_main/first-alert/_ack', { method: 'PUT' });
    expect(await acked.json()).toEqual({ status: 200, acked: ['receiver'] });

    // 6. The watch as a file: valid, loaded by the daemon, run now, searching the cluster.
    writeFileSync(join(dir, 'watches', 'errors.json'), localise(fileWatch.text));
    const [validated] = await Promise.all([vigil(['validate', 'watches/'], cli), daemon.waitForLog((r) => r.msg === 'watch loaded' && r.watch === 'errors')]);
    expect(validated.code, validated.stdout).toBe(0);
    const run = await api('/_signals/watch/_main/errors/_execute', { method: 'POST' });
    const record = (await run.json()) as { actions: Array<{ status: { code: string } }> };
    expect(record.actions[0]!.status.code).toBe('ACTION_EXECUTED');
    const errors = JSON.parse((await nextAt('/errors')).body) as { errors: string; services: string };
    // The sample spreads its events over the 24 hours before it was loaded; a few may have left the window since.
    const all = sampleData(Date.now()).find((s) => s.index === 'logs')!.docs.filter((d) => d.level === 'ERROR').length;
    expect(Number(errors.errors)).toBeGreaterThan(all / 2);
    expect(Number(errors.errors)).toBeLessThanOrEqual(all);
    expect(errors.services).toMatch(/^(\w+=\d+ )+$/);
  });
});
