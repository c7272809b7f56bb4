/**
 * The daemon on the cluster backend (`state.backend: cluster`): no data folder and no lock; the state,
 * the users, the accounts and the watches live in the cluster, so a daemon started again (without the
 * watches folder even) has them all. A watches folder is applied to the cluster; REST-created watches
 * are stored there. Health turns red while the cluster is away and green once it is back.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { VigilConfigInput } from '../../src/config/schema.ts';
import { generateKey } from '../../src/accounts/keyring.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { randomBytes } from 'node:crypto';

const tempDir = tempDirs('vigil-cb-');
const watch = (text: string) => ({ trigger: { schedule: { interval: '1h' } }, checks: [], actions: [{ type: 'log', name: 'l', text }] });
const standIn = { authenticate: async () => ({ name: 'tester', roles: [] }), authorize: () => true };

describe('the daemon on the cluster backend', () => {
  let cluster: TestCluster;
  let app: App | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9', refreshIntervalMs: 10 });
  });
  afterAll(() => cluster.close());
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  function config(base: string, prefix: string, extra: Partial<VigilConfigInput> = {}) {
    return loadConfig({
      env: { VIGIL_STATE_BACKEND: 'cluster', VIGIL_CLUSTER_URL: cluster.url },
      overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'watches'), accounts_dir: join(base, 'accounts'), listen: '127.0.0.1:0', node_name: 'd1', state: { backend: 'cluster', index_prefix: prefix }, ...extra },
    });
  }

  it('needs no data folder and survives a restart with its state, users, accounts and watches', async () => {
    const base = tempDir();
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    mkdirSync(join(base, 'watches'));
    writeFileSync(join(base, 'watches', 'from-file.json'), JSON.stringify(watch('file')));
    const env = { VIGIL_MASTER_KEY: await generateKey() };
    const logs = captureLogger('info');
    app = await buildApp(config(base, prefix), { logger: logs.logger, env, security: { hasher: new QuickHasher() }, auth: standIn });
    await app.start();
    expect(app.watches.get('_main', 'from-file')?.watch).toBeTruthy();
    expect(logs.lines.find((l) => l.msg === 'watch file applied to the cluster (created)')).toMatchObject({ watch: 'from-file', node: 'd1' });
    // A REST-created watch is stored in the cluster.
    const put = await app.server.inject({ method: 'PUT', url: '/_signals/watch/_main/from-api', payload: watch('api') });
    expect(put.statusCode).toBe(201);
    expect(cluster.store.get(`${prefix}-watches`).docs.get('_main:from-api')?.source).toMatchObject({ origin: 'api', written_by: 'd1' });
    await app.security.users.putUser('kirk', { password: 'correct horse battery', roles: ['admin'] });
    await app.accounts!.put('webhook', 'hook', { url: 'https://example.com/h', headers: { authorization: 'Bearer s3cret-t0ken' } });
    const record = await app.watches.execute('_main', 'from-api', {});
    expect(record.status.code).toBe('ACTION_EXECUTED');
    await app.watches.setActive('_main', 'from-file', false);
    expect((await app.server.inject({ method: 'GET', url: '/_vigil/health' })).json()).toMatchObject({ status: 'green', state_store: { backend: 'cluster', healthy: true } });
    await app.stop();
    app = undefined;
    expect(existsSync(join(base, 'data'))).toBe(false);

    // Started again without the watches folder: everything comes from the cluster.
    const again = tempDir();
    app = await buildApp(config(again, prefix), { logger: captureLogger('warn').logger, env, security: { hasher: new QuickHasher() }, auth: standIn });
    await app.start();
    expect(app.watches.list().map((w) => w.ref.id).sort()).toEqual(['from-api', 'from-file']);
    expect((await app.watches.state('_main', 'from-file'))?.active_override).toBe(false);
    expect(app.security.users.get('kirk')?.roles).toEqual(['admin']);
    expect(await app.accounts!.resolve('webhook', 'hook')).toMatchObject({ headers: { authorization: 'Bearer s3cret-t0ken' } });
    expect((await app.store.log.query({ watchId: 'from-api' })).map((r) => r.id)).toEqual([record.id]);
    expect(existsSync(join(again, 'data'))).toBe(false);
  });

  it('a daemon with another master key refuses to start', async () => {
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    app = await buildApp(config(tempDir(), prefix), { logger: captureLogger('warn').logger, env: { VIGIL_MASTER_KEY: await generateKey() } });
    await app.accounts!.put('webhook', 'hook', { url: 'https://example.com/h' });
    await app.stop();
    app = undefined;
    await expect(buildApp(config(tempDir(), prefix), { logger: captureLogger('warn').logger, env: { VIGIL_MASTER_KEY: await generateKey() } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^master key does not match the key ring/),
    });
    // Without a key, accounts in the cluster stop the start too: they could not be used.
    await expect(buildApp(config(tempDir(), prefix), { logger: captureLogger('warn').logger, env: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^accounts exist in index .*-accounts but no master key/) });
  });

  it('health is red while the cluster is away and a write waits, green once it is back and the write landed', async () => {
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    const base = tempDir();
    mkdirSync(join(base, 'watches'));
    writeFileSync(join(base, 'watches', 'w.json'), JSON.stringify(watch('w')));
    const logs = captureLogger('info');
    app = await buildApp(config(base, prefix), { logger: logs.logger, env: {} });
    await app.start();
    await app.watches.setActive('_main', 'w', true);
    await cluster.stop();
    let written = false;
    const write = app.watches.setActive('_main', 'w', false).then(() => (written = true));
    try {
      await logs.until((l) => /writes are held until the cluster answers/.test(l.msg));
      // The store's own news is checked at once, not at the next probe round.
      await logs.until((l) => l.msg === 'state store unavailable');
      const red = (await app.server.inject({ method: 'GET', url: '/_vigil/health' })).json();
      expect(red).toMatchObject({ status: 'red', state_store: { backend: 'cluster', healthy: false, error: expect.any(String) } });
      expect(red.reasons).toContainEqual(expect.objectContaining({ status: 'red', code: 'STORE_UNAVAILABLE', message: expect.stringContaining('does not take writes') }));
      expect((await app.server.inject({ method: 'GET', url: '/_vigil/health/ready' })).statusCode).toBe(503);
      expect(written).toBe(false);
      expect(await app.metrics.registry.getSingleMetricAsString('vigil_state_store_healthy')).toMatch(/vigil_state_store_healthy 0/);
    } finally {
      await cluster.start();
    }
    await write;
    await logs.until((l) => /the cluster takes writes again/.test(l.msg));
    await logs.until((l) => l.msg === 'state store available again');
    expect((await app.server.inject({ method: 'GET', url: '/_vigil/health' })).json()).toMatchObject({ status: 'green', reasons: [], state_store: { healthy: true } });
    expect(await app.metrics.registry.getSingleMetricAsString('vigil_state_store_healthy')).toMatch(/vigil_state_store_healthy 1/);
    expect(cluster.store.get(`${prefix}-state`).docs.get('_main:w')?.source).toMatchObject({ active_override: false });
  });

  it('past state.queue_limit held writes the scheduler holds its fires back, and resumes once the cluster takes them', async () => {
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    const base = tempDir();
    mkdirSync(join(base, 'watches'));
    for (const id of ['w1', 'w2', 'w3']) writeFileSync(join(base, 'watches', `${id}.json`), JSON.stringify(watch(id)));
    const logs = captureLogger('info');
    app = await buildApp(config(base, prefix, { state: { backend: 'cluster', index_prefix: prefix, queue_limit: 2 } }), { logger: logs.logger, env: {} });
    await app.start();
    for (const id of ['w1', 'w2', 'w3']) await app.watches.setActive('_main', id, true);
    expect(app.scheduler.stats().paused).toBe(false);
    await cluster.stop();
    const writes = ['w1', 'w2', 'w3'].map((id) => app!.watches.setActive('_main', id, false));
    try {
      await logs.until((l) => /write queue full/.test(l.msg));
      expect(app.scheduler.stats().paused).toBe(true);
      // Health checks the store the moment it reports the queue full (no I/O: its cluster is away).
      const health = async () => (await app!.server.inject({ method: 'GET', url: '/_vigil/health' })).json();
      await expect.poll(async () => (await health()).state_store?.full, { interval: 10, timeout: 2000 }).toBe(true);
      const red = await health();
      expect(red).toMatchObject({ status: 'red', state_store: { full: true, queued_writes: expect.any(Number) }, scheduler: { paused: true } });
      expect(red.reasons).toContainEqual(expect.objectContaining({ status: 'red', code: 'STORE_QUEUE_FULL' }));
    } finally {
      await cluster.start();
    }
    await Promise.all(writes);
    await logs.until((l) => /write queue has room again/.test(l.msg));
    expect(app.scheduler.stats().paused).toBe(false);
  });
});
