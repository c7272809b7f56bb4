/**
 * `vigil migrate`: everything a SQLite installation holds (data folder, watches folder, accounts
 * folder) copied to the cluster with its ids, counted per kind, nothing twice on a second run, nothing
 * at all in a dry run, refused while a daemon holds the data folder; and back again. A daemon started
 * on the migrated cluster (or folder) has it all.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateKey } from '../../src/accounts/keyring.ts';
import { migrateCommand } from '../../src/cli/migrate.ts';
import { openStateStore } from '../../src/state/open-store.ts';
import type { Counts } from '../../src/app/migrate/index.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { makeTestPki } from '../kit/certs.ts';
import { entry } from '../state/store-suite.ts';

let cluster: TestCluster;
let root: string;
let key: string;
let prefix: string;
let configFile: string;
const dirs = (base: string) => ({ data_dir: join(base, 'data'), watches_dir: join(base, 'watches'), accounts_dir: join(base, 'accounts') });
const hook = (text: string) => ({ trigger: { schedule: { interval: '1h' } }, checks: [], actions: [{ type: 'log', name: 'l', text }] });
const made = { runId: '', tokenId: '', outboxKey: 'migrated-key-1', pem: '' };
// A stored proxy's id as Signals writes them (no account id has a dot or a colon), and its password.
const PROXY = '127.0.0.1:3128';
const PROXY_PASSWORD = 'S3cret-proxy-pw-Mike';

async function migrate(args: string[]): Promise<{ code: number; counts: Counts; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await migrateCommand([...args, '--config', configFile], { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) }, {});
  const last = out.stdout.trim().split('\n').at(-1) ?? '{}';
  return { code, counts: code === 0 ? (JSON.parse(last) as { counts: Counts }).counts : ({} as Counts), ...out };
}
const copied = (c: Counts) => Object.fromEntries(Object.entries(c).filter(([, v]) => v.copied).map(([k, v]) => [k, v.copied]));

beforeAll(async () => {
  cluster = await startTestCluster({ flavour: 'os3' });
  root = mkdtempSync(join(tmpdir(), 'vigil-migrate-'));
  key = await generateKey();
  prefix = `vt-${randomBytes(4).toString('hex')}`;
  configFile = join(root, 'vigil.json');
  writeFileSync(configFile, JSON.stringify({ ...dirs(join(root, 'old')), clusters: { default: { urls: [cluster.url] } }, state: { index_prefix: prefix } }));
  // A SQLite installation in use: two watch files (one in a tenant) and one watch saved over the API, a user with a token, an account,
  // a stored proxy and a trust store,
  // watch state, a run in the log, an audit row and a notification still pending.
  const old = dirs(join(root, 'old'));
  mkdirSync(join(old.watches_dir, 'team1'), { recursive: true });
  writeFileSync(join(old.watches_dir, 'a.json'), JSON.stringify(hook('a')));
  writeFileSync(join(old.watches_dir, 'team1', 'b.json'), JSON.stringify(hook('b')));
  const app = await buildApp(loadConfig({ env: {}, overrides: { ...old, listen: '127.0.0.1:0' } }), { logger: captureLogger('warn').logger, env: { VIGIL_MASTER_KEY: key }, security: { hasher: new QuickHasher() } });
  await app.start();
  await app.store.security.apply([{ kind: 'roles', name: 'oncall', value: { cluster_permissions: ['watch:read'], index_permissions: [], tenant_permissions: [] } }]);
  await app.security.users.putUser('kirk', { password: 'correct horse battery', roles: ['admin'] });
  made.tokenId = (await app.security.tokens.create('kirk', Date.now(), { name: 'ci' })).info.id;
  await app.accounts!.put('slack', 'ops', { url: 'https://hooks.slack.com/services/T000/B000/migrate' });
  await app.accounts!.proxies.put(PROXY, { uri: `http://ops:${PROXY_PASSWORD}@127.0.0.1:3128` });
  made.pem = (await makeTestPki()).caCert;
  await app.accounts!.truststores.put('iot', { pem: made.pem });
  // One watch saved over the API (the folder holds it as a file, its saver inside).
  await app.watches.put('_main', 'c', hook('c'), { user: 'kirk', roles: ['admin'], backend_roles: [] });
  made.runId = (await app.watches.execute('_main', 'a', {})).id;
  await app.watches.setActive('team1', 'b', false);
  await app.store.outbox.enqueue(entry(made.outboxKey, Date.now(), { deadline: Date.now() + 86_400_000, nextAttemptAt: Date.now() + 3_600_000 }));
  await app.store.security.audit.append([{ time: Date.now(), user: 'kirk', address: '127.0.0.1', method: 'GET', path: '/x', outcome: 'SUCCESS', status: 200, count: 1 }]);
  await app.stop();
});
afterAll(async () => {
  await cluster.close();
  rmSync(root, { recursive: true, force: true });
});

describe('vigil migrate', () => {
  it('--dry-run counts what it would copy and changes nothing', async () => {
    const res = await migrate(['--to', 'cluster', '--dry-run', '--include-log']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^dry run: nothing changed; from .*old\/data to vt-.*-\* on cluster \[default\]/);
    expect(copied(res.counts)).toEqual({ users: 1, roles: 1, tokens: 1, audit: 1, watches: 3, watch_state: 2, outbox: 1, log: 1, accounts: 3, key_check: 1 });
    expect(cluster.store.get(`${prefix}-watches`).docs.size).toBe(0);
    expect(cluster.store.get(`${prefix}-accounts`).docs.size).toBe(0);
  });

  it('refuses a data folder a daemon holds', async () => {
    const held = openStateStore(join(root, 'old', 'data'));
    try {
      await expect(migrate(['--to', 'cluster'])).rejects.toMatchObject({ code: 'STATE_LOCKED' });
    } finally {
      await held.close();
    }
  });

  it('copies everything with its ids; a second run copies nothing; a daemon on the cluster has it all', async () => {
    const first = await migrate(['--to', 'cluster', '--include-log']);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(copied(first.counts)).toEqual({ users: 1, roles: 1, tokens: 1, audit: 1, watches: 3, watch_state: 2, outbox: 1, log: 1, accounts: 3, key_check: 1 });
    const second = await migrate(['--to', 'cluster', '--include-log']);
    expect(copied(second.counts)).toEqual({});
    for (const k of ['users', 'roles', 'tokens', 'audit', 'watches', 'watch_state', 'outbox', 'log', 'accounts', 'key_check'] as const) expect(second.counts[k].present, k).toBe(first.counts[k].copied);

    const app = await buildApp(loadConfig({ env: { VIGIL_STATE_BACKEND: 'cluster' }, overrides: { ...dirs(join(root, 'empty')), listen: '127.0.0.1:0', clusters: { default: { urls: [cluster.url] } }, state: { backend: 'cluster', index_prefix: prefix } } }), {
      logger: captureLogger('warn').logger,
      env: { VIGIL_MASTER_KEY: key },
      security: { hasher: new QuickHasher() },
    });
    try {
      await app.watches.loadAll();
      expect(app.watches.list().map((w) => `${w.ref.tenant}/${w.ref.id}`).sort()).toEqual(['_main/a', '_main/c', 'team1/b']);
      // Where each came from stays: a folder applied to the cluster later replaces only the files'.
      const origins = Object.fromEntries([...cluster.store.get(`${prefix}-watches`).docs].map(([id, d]) => [id, (d.source as { origin: string }).origin]));
      expect(origins).toEqual({ '_main:a': 'file', '_main:c': 'api', 'team1:b': 'file' });
      expect(app.watches.list().find((w) => w.ref.id === 'c')?.watch?.savedBy).toEqual({ user: 'kirk', roles: ['admin'], backend_roles: [] });
      expect((await app.watches.state('team1', 'b'))?.active_override).toBe(false);
      expect(app.security.users.get('kirk')?.roles).toEqual(['admin']);
      expect(await app.store.security.docs.get('roles', 'oncall')).toMatchObject({ cluster_permissions: ['watch:read'] });
      expect((await app.store.security.tokens.get(made.tokenId))?.name).toBe('ci');
      expect(await app.accounts!.resolve('slack', 'ops')).toMatchObject({ url: expect.stringContaining('/migrate') });
      expect(await app.accounts!.proxies.url(PROXY)).toBe(`http://ops:${PROXY_PASSWORD}@127.0.0.1:3128/`);
      expect((await app.accounts!.truststores.get('iot')).raw_pem).toBe(made.pem);
      expect(await app.store.outbox.get(made.outboxKey)).toMatchObject({ status: 'pending', key: made.outboxKey });
      expect((await app.store.log.query({})).map((r) => r.id)).toEqual([made.runId]);
      expect((await app.store.security.audit.query({})).hits.map((r) => r.path)).toEqual(['/x']);
    } finally {
      await app.stop();
    }
  });

  it('--to sqlite copies it back into empty folders, texts and sealed files as they were', async () => {
    const back = dirs(join(root, 'back'));
    const out = { stdout: '', stderr: '' };
    const code = await migrateCommand(['--to', 'sqlite', '--include-log', '--config', configFile, '--data', back.data_dir, '--watches', back.watches_dir, '--accounts', back.accounts_dir], {
      stdout: (t) => void (out.stdout += t),
      stderr: (t) => void (out.stderr += t),
    }, {});
    expect(code).toBe(0);
    const counts = (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { counts: Counts }).counts;
    expect(copied(counts)).toEqual({ users: 1, roles: 1, tokens: 1, audit: 1, watches: 3, watch_state: 2, outbox: 1, log: 1, accounts: 3, key_check: 1 });
    for (const file of [['team1', 'b.json'], ['c.json']]) expect(readFileSync(join(back.watches_dir, ...file), 'utf8')).toBe(readFileSync(join(root, 'old', 'watches', ...file), 'utf8'));
    for (const file of [['slack', 'ops.json'], ['_proxies', `${PROXY}.json`], ['_truststores', 'iot.json']]) {
      expect(readFileSync(join(back.accounts_dir, ...file), 'utf8')).toBe(readFileSync(join(root, 'old', 'accounts', ...file), 'utf8'));
    }
    const app = await buildApp(loadConfig({ env: {}, overrides: { ...back, listen: '127.0.0.1:0' } }), { logger: captureLogger('warn').logger, env: { VIGIL_MASTER_KEY: key }, security: { hasher: new QuickHasher() } });
    try {
      await app.watches.loadAll();
      expect(app.watches.list()).toHaveLength(3);
      expect(app.watches.list().find((w) => w.ref.id === 'c')?.watch?.savedBy?.user).toBe('kirk');
      expect(await app.store.outbox.get(made.outboxKey)).toMatchObject({ status: 'pending' });
      expect(await app.accounts!.resolve('slack', 'ops')).toMatchObject({ url: expect.stringContaining('/migrate') });
    } finally {
      await app.stop();
    }
    // A key other than the installation's is refused by the key-check record that came along.
    await expect(buildApp(loadConfig({ env: {}, overrides: { ...back, listen: '127.0.0.1:0' } }), { logger: captureLogger('warn').logger, env: { VIGIL_MASTER_KEY: await generateKey() } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
