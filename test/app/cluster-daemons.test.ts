/**
 * Two daemons in one process on one cluster backend: they split the watches, GET /_vigil/cluster lists
 * both with what each owns, and a clean stop of one hands its watches to the other within a heartbeat.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { clusterResponse } from '../../src/api/routes/cluster.ts';

const tempDir = tempDirs('vigil-cd-');
const standIn = { authenticate: async () => ({ name: 'tester', roles: [] }), authorize: () => true };

/** Polls (real time) until `cond` holds, up to `ms`. */
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('several daemons on one cluster backend', () => {
  let cluster: TestCluster;
  const apps: App[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9', refreshIntervalMs: 10 });
  });
  afterAll(() => cluster.close());
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.stop();
  });

  async function daemon(node: string, prefix: string, base: string) {
    const config = loadConfig({
      env: { VIGIL_CLUSTER_URL: cluster.url, VIGIL_NODE_NAME: node },
      overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'watches'), accounts_dir: join(base, 'accounts'), listen: '127.0.0.1:0', state: { backend: 'cluster', index_prefix: prefix }, cluster_mode: { lease_ms: 1500 } },
    });
    const logs = captureLogger('info');
    const app = await buildApp(config, { logger: logs.logger, env: {}, security: { hasher: new QuickHasher() }, auth: standIn });
    apps.push(app);
    await app.start();
    return { app, logs };
  }

  it('split the watches, list each other, and take over at once from one that stops cleanly', async () => {
    const base = tempDir();
    mkdirSync(join(base, 'watches'));
    for (let i = 0; i < 20; i++) writeFileSync(join(base, 'watches', `w${i}.json`), JSON.stringify({ trigger: { schedule: { interval: '1h' } }, checks: [], actions: [{ type: 'log', name: 'l', text: 'x' }] }));
    const prefix = `vt-${randomBytes(4).toString('hex')}`;
    const d1 = await daemon('d1', prefix, base);
    const d2 = await daemon('d2', prefix, base);
    const owned = (a: App) => a.watches.ownedCount();
    await until(() => owned(d1.app) + owned(d2.app) === 20 && owned(d1.app) < 20, 5_000);
    expect(owned(d1.app) + owned(d2.app)).toBe(20);
    expect(owned(d1.app)).toBeGreaterThan(0);
    expect(owned(d2.app)).toBeGreaterThan(0);
    // Each watch scheduled on exactly one daemon.
    for (let i = 0; i < 20; i++) expect(Number(d1.app.scheduler.has(`_main/w${i}`)) + Number(d2.app.scheduler.has(`_main/w${i}`))).toBe(1);
    // Both heartbeats carry what their daemon owns; wait for a heartbeat after the split.
    const view = async () => (await d1.app.server.inject({ method: 'GET', url: '/_vigil/cluster' })).json();
    await until(async () => (await view()).nodes.every((n: { watches_owned: number | null; name: string }) => n.watches_owned === owned(n.name === 'd1' ? d1.app : d2.app)), 5_000);
    const v = await view();
    expect(v).toMatchObject({ node: 'd1', lease_ms: 1500, live: ['d1', 'd2'] });
    // The answer is what the OpenAPI document declares.
    expect(clusterResponse.safeParse(v).error?.issues).toBeUndefined();
    expect(v.nodes.map((n: { name: string; live: boolean; self: boolean }) => [n.name, n.live, n.self])).toEqual([['d1', true, true], ['d2', true, false]]);
    expect(v.nodes.reduce((s: number, n: { watches_owned: number }) => s + n.watches_owned, 0)).toBe(20);
    // d2 stops cleanly: its heartbeat goes at once, d1 takes every watch at its next heartbeat (lease/3).
    const stoppedAt = Date.now();
    await d2.app.stop();
    apps.splice(apps.indexOf(d2.app), 1);
    await until(() => owned(d1.app) === 20, 5_000);
    expect(owned(d1.app)).toBe(20);
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
    expect(d1.logs.lines.find((l) => l.msg === 'membership changed' && Array.isArray(l.left) && (l.left as string[]).includes('d2'))).toBeDefined();
    expect(d1.logs.lines.find((l) => l.msg === 'watch ownership changed' && l.owned === 20)).toBeDefined();
  });

  it('GET /_vigil/cluster is NOT_FOUND on SQLite', async () => {
    const base = tempDir();
    const config = loadConfig({ env: {}, overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'watches'), accounts_dir: join(base, 'accounts'), listen: '127.0.0.1:0' } });
    const app = await buildApp(config, { logger: captureLogger('warn').logger, env: {}, security: { hasher: new QuickHasher() }, auth: standIn });
    apps.push(app);
    const res = await app.server.inject({ method: 'GET', url: '/_vigil/cluster' });
    expect(res.statusCode).toBe(404);
    expect(JSON.stringify(res.json())).toContain('NOT_FOUND');
  });
});
