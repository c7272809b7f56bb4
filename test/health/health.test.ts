/**
 * /_vigil/health tells the truth: a configured cluster that does not answer is red, a watch failing its
 * runs, a watch naming a cluster that is not configured and an action whose deliveries fail are yellow,
 * each reason naming what is at fault; readiness and liveness for orchestrators; a start-up line says
 * how many watches need a cluster that is not configured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { VigilConfigInput } from '../../src/config/schema.ts';
import { captureLogger, type CapturedLog } from '../kit/log-capture.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { shutAfterEach } from '../kit/shut-after-each.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { startWebhookReceiver } from '../kit/receivers/webhook.ts';

const tempDir = tempDirs('vigil-health-');
const keep = shutAfterEach();

interface Started {
  app: App;
  clock: FakeClock;
  logs: CapturedLog;
  health(): Promise<{ status: string; reasons: Array<Record<string, unknown>>; watches: Record<string, number>; clusters: Record<string, { reachable: boolean }> }>;
}

async function start(watches: Record<string, unknown>, overrides: VigilConfigInput = {}): Promise<Started> {
  const base = tempDir();
  const dir = join(base, 'watches');
  mkdirSync(dir, { recursive: true });
  for (const [id, body] of Object.entries(watches)) writeFileSync(join(dir, `${id}.json`), JSON.stringify(body));
  const config = loadConfig({
    env: {},
    overrides: { data_dir: join(base, 'data'), watches_dir: dir, accounts_dir: join(base, 'accounts'), listen: '127.0.0.1:0', node_name: 'n1', scheduler: { spread_intervals: false }, ...overrides },
  });
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  const logs = captureLogger('info');
  const a = keep(await buildApp(config, { logger: logs.logger, env: {}, clock }));
  return { app: a, clock, logs, health: async () => (await a.server.inject({ method: 'GET', url: '/_vigil/health' })).json() };
}

const search = (cluster?: string) => ({
  trigger: { schedule: { interval: '10s' } },
  checks: [{ type: 'search', name: 'errors', target: 'errors', request: { indices: ['logs'], body: { size: 0 } }, ...(cluster ? { cluster } : {}) }],
  actions: [{ type: 'log', name: 'note', text: 'x' }],
});
const quiet = { trigger: { schedule: { interval: '10s' } }, checks: [{ type: 'static', name: 's', target: 's', value: { n: 1 } }], actions: [] };

describe('health', () => {
  it('is green for a node with nothing wrong; ready once started and bound, live all along', async () => {
    const s = await start({ fine: quiet });
    const ready = async () => (await s.app.server.inject({ method: 'GET', url: '/_vigil/health/ready' })).statusCode;
    expect((await s.health()).status).toBe('red');
    expect((await s.health()).reasons).toEqual([expect.objectContaining({ code: 'NOT_STARTED' })]);
    expect(await ready()).toBe(503);
    await s.app.listen();
    expect(await ready()).toBe(503);
    await s.app.start();
    expect(await s.health()).toMatchObject({ status: 'green', reasons: [], node: 'n1' });
    expect(await ready()).toBe(200);
    expect((await s.app.server.inject({ method: 'GET', url: '/_vigil/health/live' })).json()).toEqual({ status: 'alive', node: 'n1' });
    s.app.halt();
    const res = await s.app.server.inject({ method: 'GET', url: '/_vigil/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().reasons).toContain('stopping');
  });

  it('names the watches that need a cluster that is not configured, at start and in health', async () => {
    const s = await start({ 'error-rate': search(), 'by-name': search('logs-cluster'), fine: quiet });
    await s.app.start();
    const summary = s.logs.lines.find((l) => l.msg === 'watches loaded');
    expect(summary).toMatchObject({ valid: 3, needClusterNotConfigured: 2 });
    const warn = s.logs.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('2 watch(es) need a cluster that is not configured'));
    expect(warn).toMatchObject({ watches: expect.arrayContaining(['_main/error-rate', '_main/by-name']) });
    const h = await s.health();
    expect(h.status).toBe('yellow');
    expect(h.watches).toMatchObject({ valid: 3, need_cluster_not_configured: 2 });
    const needs = h.reasons.filter((r) => r.code === 'CLUSTER_NOT_CONFIGURED');
    expect(needs.map((r) => r.watch).sort()).toEqual(['by-name', 'error-rate']);
    expect(needs.find((r) => r.watch === 'by-name')!.message).toContain("'logs-cluster'");
    expect(needs[0]!.fields).toEqual(['checks[0].cluster']);
    const metrics = (await s.app.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^vigil_watches_cluster_not_configured 2$/m);
  });

  it('is red while a configured cluster does not answer, and yellow for a watch failing its runs in a row', async () => {
    const s = await start({ searching: search() }, { clusters: { default: { urls: ['http://127.0.0.1:1'] } }, health: { probe_interval_ms: 5000, failing_runs: 3 } });
    await s.app.start();
    await expect.poll(async () => (await s.health()).clusters.default?.reachable, { interval: 20, timeout: 5000 }).toBe(false);
    let h = await s.health();
    expect(h.status).toBe('red');
    expect(h.reasons).toContainEqual(expect.objectContaining({ status: 'red', code: 'CLUSTER_UNREACHABLE', cluster: 'default' }));
    expect(JSON.stringify(h.reasons)).not.toContain('WATCH_FAILING');
    for (let i = 0; i < 3; i++) await s.clock.advance(10_000);
    await expect.poll(async () => (await s.health()).reasons.some((r) => r.code === 'WATCH_FAILING'), { interval: 20, timeout: 5000 }).toBe(true);
    h = await s.health();
    expect(h.reasons).toContainEqual(expect.objectContaining({ status: 'yellow', code: 'WATCH_FAILING', tenant: '_main', watch: 'searching', consecutive_failures: 3 }));
    expect((await s.app.server.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^vigil_cluster_up\{cluster="default"\} 0$/m);
    expect(s.logs.lines.some((l) => l.msg === 'cluster unreachable: watches searching it fail until it answers' && l.cluster === 'default')).toBe(true);
  });

  it('counts runs refused by the isolation (INDEX_FORBIDDEN) as failing runs', async () => {
    // No role for watches nobody saved. The index is known only when the run renders it, so the watch
    // loads and each run's search is refused there, before it reaches the cluster.
    const walled = {
      trigger: { schedule: { interval: '10s' } },
      checks: [
        { type: 'static', name: 'where', target: 'where', value: { index: 'logs' } },
        { type: 'search', name: 'errors', target: 'errors', request: { indices: ['{{data.where.index}}'], body: { size: 0 } } },
      ],
      actions: [{ type: 'log', name: 'note', text: 'x' }],
    };
    const s = await start({ walled }, { clusters: { default: { urls: ['http://127.0.0.1:1'] } }, security: { default_run_as_role: null }, health: { failing_runs: 2 } });
    await s.app.start();
    for (let i = 0; i < 2; i++) await s.clock.advance(10_000);
    await expect.poll(async () => (await s.health()).reasons.find((r) => r.code === 'WATCH_FAILING'), { interval: 20, timeout: 5000 }).toMatchObject({
      status: 'yellow',
      watch: 'walled',
      consecutive_failures: 2,
    });
    const failing = (await s.health()).reasons.find((r) => r.code === 'WATCH_FAILING')!;
    // The underlying code names the cause (troubleshooting.md has a line per code), not only the run's status.
    expect(failing.message).toMatch(/EXECUTION_FAILED \(INDEX_FORBIDDEN\): indices:data\/read\/search on index 'logs' of cluster 'default' is not allowed/);
    expect(failing.error_code).toBe('INDEX_FORBIDDEN');
  });

  it('is yellow while an action’s deliveries fail, naming the watch, action and destination, until one succeeds', async () => {
    const hook = keep(await startWebhookReceiver());
    const post = { trigger: { schedule: { interval: '10s' } }, checks: [], actions: [{ type: 'webhook', name: 'notify', request: { method: 'POST', url: `${hook.url}/in`, body: 'x' } }] };
    const s = await start({ paging: post }, { egress: { allow: ['127.0.0.1'], disabled_action_types: [] } });
    await s.app.start();
    hook.fault({ status: 400 });
    await s.clock.advance(10_000);
    await expect.poll(async () => (await s.health()).reasons.find((r) => r.code === 'DELIVERY_FAILING'), { interval: 20, timeout: 5000 }).toMatchObject({
      status: 'yellow',
      tenant: '_main',
      watch: 'paging',
      action: 'notify',
      destination: new URL(hook.url).host,
    });
    await s.clock.advance(10_000);
    await expect.poll(async () => (await s.health()).status, { interval: 20, timeout: 5000 }).toBe('green');
  });
});
