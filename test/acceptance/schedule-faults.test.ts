/**
 * Acceptance, in-process through the scheduler (buildApp + FakeClock): the cluster going down
 * and coming back, and a +1 h wall-clock jump under a cron watch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { appKit, realPause, type AppKit, type AppKitOptions } from './app-kit.ts';
import type { WatchLogRecord } from '../../src/state/records.ts';

let kit: AppKit | undefined;
let cluster: TestCluster | undefined;
let hook: WebhookReceiver | undefined;
afterEach(async () => {
  await kit?.close();
  await cluster?.close();
  await hook?.close();
  kit = cluster = hook = undefined;
});

/** Runs recorded for watch `id`, oldest first. */
async function runs(k: AppKit, id: string): Promise<WatchLogRecord[]> {
  return (await k.app.store.log.query({ watchId: id, size: 1000 })).reverse();
}

/** Advances fake time by `ms`, then waits (real time, bounded) until `n` runs are recorded. */
async function tickUntilRuns(k: AppKit, id: string, ms: number, n: number): Promise<WatchLogRecord[]> {
  await k.clock.advance(ms);
  const end = Date.now() + 15_000;
  let r = await runs(k, id);
  while (r.length < n && Date.now() < end) {
    await realPause(20);
    await k.clock.advance(0);
    r = await runs(k, id);
  }
  return r;
}

describe('cluster down, then back', () => {
  it('runs fail cleanly with the cluster error while it is down and recover at the next run', async () => {
    cluster = await startTestCluster({ flavour: 'es9' });
    cluster.seed('logs', [{ level: 'error', msg: 'boom' }]);
    const port = Number(new URL(cluster.url).port);
    kit = await appKit({ config: { clusters: { default: { urls: [cluster.url], request_timeout_ms: 2000 } } } });
    kit.writeWatch('search', {
      trigger: { schedule: { interval: '10s' } },
      checks: [{ type: 'search', name: 'errors', target: 'errors', request: { indices: ['logs'], body: { query: { match_all: {} } } } }],
      actions: [],
    });
    await kit.app.reload();

    let r = await tickUntilRuns(kit, 'search', 10_000, 1);
    expect(r.map((x) => x.status.code)).toEqual(['NO_ACTION']);

    await cluster.close();
    r = await tickUntilRuns(kit, 'search', 10_000, 2);
    expect(r).toHaveLength(2);
    expect(r[1]!.status.code).toBe('EXECUTION_FAILED');
    expect(r[1]!.error?.check).toBe('errors');
    expect(r[1]!.error?.message).toMatch(/ECONNREFUSED|connect|unavailable|No Living connections/i);

    // Back on the same address: the very next run succeeds.
    cluster = await startTestCluster({ flavour: 'es9', port });
    cluster.seed('logs', [{ level: 'error', msg: 'boom' }]);
    r = await tickUntilRuns(kit, 'search', 10_000, 3);
    expect(r).toHaveLength(3);
    expect(r[2]!.status.code).toBe('NO_ACTION');
    expect(r[2]!.error).toBeUndefined();
  });
});

describe('wall clock jumps forward by one hour', () => {
  it('a cron watch that fires every minute fires once for the missed hour, not 60 times', async () => {
    hook = await startWebhookReceiver();
    kit = await appKit({ start: '2026-03-01T10:00:30Z' });
    kit.writeWatch('cron', {
      trigger: { schedule: { cron: '0 * * * * ?' } },
      checks: [],
      actions: [{ type: 'webhook', name: 'hook', request: { url: `${hook.url}/cron`, body: '{{trigger.scheduled_time}}' } }],
    });
    await kit.app.reload();
    let r = await tickUntilRuns(kit, 'cron', 30_000, 1); // 10:01:00
    expect(r).toHaveLength(1);

    kit.clock.jump(3_600_000); // the wall clock now reads 11:01:00; nothing ran for 10:02 … 11:01
    r = await tickUntilRuns(kit, 'cron', 30_000, 2);
    const afterJump = r.slice(1);
    expect(afterJump).toHaveLength(1);
    // One more regular minute, then quiet: the missed hour never replays.
    r = await tickUntilRuns(kit, 'cron', 60_000, 3);
    expect(r).toHaveLength(3);
    expect(r[2]!.trigger?.scheduled_time).toBe('2026-03-01T11:02:00.000Z');
    await kit.clock.advance(1_000);
    await realPause(50);
    expect(await runs(kit, 'cron')).toHaveLength(3);
    expect(hook.deliveries()).toHaveLength(3);
  });
});

describe('interval watches loaded together (spread start times)', () => {
  const ids = Array.from({ length: 40 }, (_, i) => `fleet-${i}`);
  async function nextFires(config: AppKitOptions['config']): Promise<number[]> {
    kit = await appKit({ start: '2026-03-01T10:00:00Z', config });
    for (const id of ids) kit.writeWatch(id, { trigger: { schedule: { interval: '1m' } }, checks: [] });
    await kit.app.reload();
    const loaded = kit.clock.now();
    return ids.map((id) => kit!.app.scheduler.nextFire(`_main/${id}`)! - loaded);
  }

  it('by default fire spread over the interval, each first within one interval of the load', async () => {
    const offsets = await nextFires(undefined);
    for (const o of offsets) expect(o).toBeGreaterThan(0), expect(o).toBeLessThanOrEqual(60_000);
    expect(new Set(offsets).size).toBe(ids.length);
    // Some in each half of the minute, not one burst.
    expect(offsets.filter((o) => o <= 30_000).length).toBeGreaterThan(5);
    expect(offsets.filter((o) => o > 30_000).length).toBeGreaterThan(5);
  });

  it('with scheduler.spread_intervals false all fire one interval after the load', async () => {
    const offsets = await nextFires({ scheduler: { spread_intervals: false } });
    expect(new Set(offsets)).toEqual(new Set([60_000]));
  });
});
