/**
 * The dead-man switch: a heartbeat every interval to a ping URL or as a PagerDuty event, through the
 * egress-checked client; its failures make health yellow and show in metrics; neither the ping URL's
 * path nor the integration key is ever logged or reported.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { VigilConfigInput } from '../../src/config/schema.ts';
import { VigilError } from '../../src/errors.ts';
import { captureLogger, type CapturedLog } from '../kit/log-capture.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { shutAfterEach } from '../kit/shut-after-each.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { startWebhookReceiver } from '../kit/receivers/webhook.ts';

const tempDir = tempDirs('vigil-deadman-');
const keep = shutAfterEach();

const PING_SECRET = '5f0c7e52-check-uuid-secret';
const PD_KEY = 'pdIntegrationKey0000000000000042';

async function start(overrides: VigilConfigInput, accounts?: Record<string, unknown>): Promise<{ app: App; clock: FakeClock; logs: CapturedLog; health(): Promise<{ status: string; reasons: Array<Record<string, unknown>> }>; metrics(): Promise<string> }> {
  const base = tempDir();
  const config = loadConfig({ env: {}, overrides: { data_dir: join(base, 'data'), watches_dir: join(base, 'w'), accounts_dir: join(base, 'a'), listen: '127.0.0.1:0', node_name: 'n1', ...overrides } });
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  const logs = captureLogger('debug');
  const accountSource = {
    resolve: async (type: string, id: string) => {
      const a = accounts?.[`${type}/${id}`];
      if (!a) throw new VigilError('ACCOUNT_NOT_FOUND', `no ${type} account '${id}'`);
      return a;
    },
    holders: async (id: string, types: readonly string[]) => types.filter((t) => accounts?.[`${t}/${id}`] !== undefined),
  };
  const a = keep(await buildApp(config, { logger: logs.logger, env: {}, clock, accountSource }));
  await a.start();
  return {
    app: a,
    clock,
    logs,
    health: async () => (await a.server.inject({ method: 'GET', url: '/_vigil/health' })).json(),
    metrics: async () => (await a.server.inject({ method: 'GET', url: '/metrics' })).body,
  };
}

describe('dead-man switch', () => {
  it('pings the URL at start and every interval; a failing receiver makes health yellow until a heartbeat gets through', async () => {
    const hook = keep(await startWebhookReceiver());
    const s = await start({ egress: { allow: ['127.0.0.1'], disabled_action_types: [] }, deadman: { url: `${hook.url}/ping/${PING_SECRET}`, interval_ms: 30_000 } });
    await expect.poll(() => hook.requests.length, { interval: 10, timeout: 5000 }).toBe(1);
    expect(hook.requests[0]).toMatchObject({ method: 'POST', url: `/ping/${PING_SECRET}` });
    await s.clock.advance(29_000);
    expect(hook.requests).toHaveLength(1);
    await s.clock.advance(1_000);
    await expect.poll(() => hook.requests.length, { interval: 10, timeout: 5000 }).toBe(2);
    expect((await s.health()).status).toBe('green');

    hook.fault({ status: 503 }, { status: 503 });
    await s.clock.advance(30_000);
    await expect.poll(async () => (await s.health()).reasons.find((r) => r.code === 'DEADMAN_FAILING'), { interval: 10, timeout: 5000 }).toMatchObject({ status: 'yellow', message: expect.stringContaining('HTTP 503') });
    await s.clock.advance(30_000);
    await expect.poll(async () => (await s.metrics()).match(/^vigil_deadman_heartbeats_total\{outcome="failed"\} (\d+)$/m)?.[1], { interval: 10, timeout: 5000 }).toBe('2');
    expect(await s.metrics()).toMatch(/^vigil_deadman_heartbeats_total\{outcome="sent"\} 2$/m);
    // One warning for the outage, not one per heartbeat.
    expect(s.logs.lines.filter((l) => String(l.msg).startsWith('dead-man switch heartbeat failed'))).toHaveLength(1);

    await s.clock.advance(30_000);
    await expect.poll(async () => (await s.health()).status, { interval: 10, timeout: 5000 }).toBe('green');
    expect(s.logs.lines.some((l) => l.msg === 'dead-man switch heartbeat gets through again')).toBe(true);
    expect(s.logs.text()).not.toContain(PING_SECRET);
    expect(JSON.stringify(await s.health())).not.toContain(PING_SECRET);
  });

  it('goes through the egress policy: a receiver that is not allowed gets nothing, and health says why', async () => {
    const hook = keep(await startWebhookReceiver());
    const s = await start({ deadman: { url: `${hook.url}/ping/${PING_SECRET}`, method: 'GET' } });
    await expect.poll(async () => (await s.health()).reasons.find((r) => r.code === 'DEADMAN_FAILING'), { interval: 10, timeout: 5000 }).toMatchObject({ message: expect.stringContaining('egress_denied') });
    expect(hook.requests).toHaveLength(0);
    expect(s.logs.text()).not.toContain(PING_SECRET);
  });

  it('sends a PagerDuty trigger with a stable dedup_key through the account, the key never logged', async () => {
    const hook = keep(await startWebhookReceiver());
    const s = await start(
      { egress: { allow: ['127.0.0.1'], disabled_action_types: [] }, deadman: { pagerduty: { account: 'ops' }, interval_ms: 10_000 } },
      { 'pagerduty/ops': { integration_key: PD_KEY, url: `${hook.url}/v2/enqueue` } },
    );
    await expect.poll(() => hook.requests.length, { interval: 10, timeout: 5000 }).toBe(1);
    await s.clock.advance(10_000);
    await expect.poll(() => hook.requests.length, { interval: 10, timeout: 5000 }).toBe(2);
    const bodies = hook.requests.map((r) => r.json as Record<string, unknown>);
    expect(bodies[0]).toMatchObject({ routing_key: PD_KEY, event_action: 'trigger', dedup_key: 'vigil-deadman-n1', payload: { source: 'n1' } });
    expect(bodies[1]!.dedup_key).toBe(bodies[0]!.dedup_key);
    expect(s.logs.text()).not.toContain(PD_KEY);
    expect((await s.health()).status).toBe('green');
  });

  it('rejects a config with both or neither of url and pagerduty, naming the field', () => {
    const base = tempDir();
    const load = (deadman: unknown) => () => loadConfig({ env: {}, overrides: { data_dir: base, deadman } as VigilConfigInput });
    expect(load({ interval_ms: 5000 })).toThrow(/deadman.*set exactly one of url or pagerduty/s);
    expect(load({ url: 'ftp://x/y' })).toThrow(/deadman\.url/);
    expect(load({ url: 'https://hc-ping.com/x', extra: 1 })).toThrow(/extra/);
  });
});
