/**
 * Stored proxies, trust stores and who saved a watch, on the cluster backend: what one daemon stores
 * through its REST API lives in the cluster's indices (the accounts index, sealed as in a folder; the
 * watches index, `_vigil.saved_by` in the definition), so a second daemon on the same cluster reads
 * it, resolves it and loads the watches that name it. Nothing is written to the accounts folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateKey } from '../../src/accounts/keyring.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { makeTestPki } from '../kit/certs.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-csr-');
const PASSWORD = 'S3cret-proxy-pw-Lima';
// Signals names proxies like this: dots and a colon, which no account id may hold.
const PROXY_ID = '127.0.0.1:3128';
const standIn = { authenticate: async () => ({ name: 'tester', roles: ['admin'] }), authorize: () => true };

const namingWatch = (proxy: string, truststore: string) => ({
  trigger: { schedule: { interval: '1h' } },
  checks: [{ type: 'http', name: 'probe', target: 'probe', request: { url: 'https://127.0.0.1:9/x' }, proxy, tls: { truststore_id: truststore } }],
  actions: [],
});

const oldKid = (app: App, active: string) => app.keyring!.list().find((k) => k.kid !== active)!.kid;

describe('stored proxies, trust stores and savers on the cluster backend', () => {
  let cluster: TestCluster;
  const apps: App[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9', refreshIntervalMs: 10 });
  });
  afterAll(() => cluster.close());
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.stop();
  });

  async function start(base: string, prefix: string, node: string, env: NodeJS.ProcessEnv): Promise<App> {
    const config = loadConfig({
      env: { VIGIL_STATE_BACKEND: 'cluster', VIGIL_CLUSTER_URL: cluster.url },
      overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'watches'), accounts_dir: join(base, 'accounts'), listen: '127.0.0.1:0', node_name: node, state: { backend: 'cluster', index_prefix: prefix } },
    });
    const app = await buildApp(config, { logger: captureLogger('warn').logger, env, security: { hasher: new QuickHasher() }, auth: standIn });
    apps.push(app);
    await app.start();
    return app;
  }

  it('a proxy and a trust store PUT through one daemon are read, resolved and named by watches on a second one', async () => {
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    const env = { VIGIL_MASTER_KEY: await generateKey() };
    const pki = await makeTestPki();
    const [base1, base2] = [tempDir(), tempDir()];
    const d1 = await start(base1, prefix, 'd1', env);
    const proxy = await d1.server.inject({ method: 'PUT', url: `/_signals/proxies/${PROXY_ID}`, payload: { name: 'corp', uri: `http://ops:${PASSWORD}@127.0.0.1:3128` } });
    expect(proxy.statusCode, proxy.body).toBe(200);
    const trust = await d1.server.inject({ method: 'PUT', url: '/_signals/truststores/iot', payload: { name: 'iot', pem: pki.caCert } });
    expect(trust.statusCode, trust.body).toBe(200);
    const saved = await d1.server.inject({ method: 'PUT', url: '/_signals/watch/_main/via-proxy', payload: namingWatch(PROXY_ID, 'iot') });
    expect(saved.statusCode, saved.body).toBe(201);

    // In the cluster's accounts index, sealed: the password is not in the stored document.
    const accounts = cluster.store.get(`${prefix}-accounts`).docs;
    expect(JSON.stringify(accounts.get(`_proxies:${PROXY_ID}`)?.source)).not.toContain(PASSWORD);
    expect(accounts.get('_truststores:iot')?.source).toMatchObject({ type: '_truststores', account_id: 'iot' });
    // The saver is part of the stored definition, as in a watch file.
    const stored = JSON.parse(String(cluster.store.get(`${prefix}-watches`).docs.get('_main:via-proxy')?.source.source));
    expect(stored._vigil).toMatchObject({ saved_by: { user: 'tester', roles: ['admin'] } });

    // A second daemon on the same cluster, its own (empty) folders.
    const d2 = await start(base2, prefix, 'd2', env);
    const got = await d2.server.inject({ method: 'GET', url: `/_signals/proxies/${PROXY_ID}` });
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json().data).toMatchObject({ id: PROXY_ID, name: 'corp', uri: 'http://ops@127.0.0.1:3128', password: { set: true } });
    expect(got.body).not.toContain(PASSWORD);
    expect((await d2.server.inject({ method: 'GET', url: '/_signals/proxies' })).json().data.map((p: { id: string }) => p.id)).toEqual([PROXY_ID]);
    expect((await d2.server.inject({ method: 'GET', url: '/_signals/truststores/iot' })).json().data).toMatchObject({ id: 'iot', raw_pem: pki.caCert });
    expect(await d2.accounts!.proxies.url(PROXY_ID)).toBe(`http://ops:${PASSWORD}@127.0.0.1:3128/`);

    // The watch d1 saved loads on d2 and runs as its saver.
    expect(d2.watches.get('_main', 'via-proxy')?.errors ?? null).toBeNull();
    expect(d2.watches.get('_main', 'via-proxy')?.watch?.savedBy).toMatchObject({ user: 'tester', roles: ['admin'] });
    expect((await d2.server.inject({ method: 'GET', url: '/_signals/watch/_main/via-proxy' })).json()).toMatchObject({ _saved_by: { user: 'tester' }, _source: { checks: [{ proxy: PROXY_ID }] } });
    // A watch saved through d2 naming them loads; one naming a proxy nobody stored is refused at its field.
    expect((await d2.server.inject({ method: 'PUT', url: '/_signals/watch/_main/on-d2', payload: namingWatch(PROXY_ID, 'iot') })).statusCode).toBe(201);
    const unknown = await d2.server.inject({ method: 'PUT', url: '/_signals/watch/_main/unknown', payload: namingWatch('nobody:3128', 'iot') });
    expect(unknown.statusCode).toBe(400);
    expect(Object.keys(unknown.json().detail)).toEqual(['checks[0].proxy']);

    for (const base of [base1, base2]) expect(existsSync(join(base, 'accounts'))).toBe(false);
  });

  it('rotation rewraps the stored proxy\'s password in the index, under the active key', async () => {
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    const [oldKey, newKey] = [await generateKey(), await generateKey()];
    const d1 = await start(tempDir(), prefix, 'd1', { VIGIL_MASTER_KEY: oldKey });
    await d1.accounts!.proxies.put(PROXY_ID, { uri: `http://ops:${PASSWORD}@127.0.0.1:3128` });
    await d1.stop();
    apps.splice(0);
    const d2 = await start(tempDir(), prefix, 'd2', { VIGIL_MASTER_KEY: `${newKey},${oldKey}` });
    const active = d2.keyring!.activeKid;
    const fields = async () => Object.fromEntries((await d2.accounts!.keyUsage()).map((u) => [u.kid, u.fields]));
    expect(await fields()).toEqual({ [active]: 0, [oldKid(d2, active)]: 1 });
    expect(await d2.accounts!.rotate()).toMatchObject({ total: 1, failed: 0 });
    expect(await fields()).toEqual({ [active]: 1, [oldKid(d2, active)]: 0 });
    expect(await d2.accounts!.proxies.url(PROXY_ID)).toBe(`http://ops:${PASSWORD}@127.0.0.1:3128/`);
  });
});
