/**
 * Acceptance: the real daemon on the cluster backend, and the cluster that holds its state stopped and
 * started again mid-run. Meanwhile the daemon keeps its schedule, holds its outcomes in memory and
 * reports itself red; once the cluster is back it turns green and every notification it decided is
 * delivered once, those decided during the outage included; nothing it acknowledged is lost.
 */
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { startDaemon, type Daemon } from '../kit/daemon.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-outage-acc-');

interface OutboxDoc {
  key: string;
  watch_id: string;
  status: string;
  created_at: number;
  finished_at: number | null;
}

async function health(d: Daemon): Promise<{ status: string; state_store: { healthy: boolean; queued_writes: number }; scheduler: { fired: number; skipped_overlap: number } }> {
  const res = await fetch(`${d.url}/_vigil/health`);
  return res.json() as never;
}

/** Polls a condition every 20 ms (a receiver's record, a daemon's health), up to `ms`. */
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the cluster that holds the state goes away and comes back', () => {
  let cluster: TestCluster | undefined;
  let hook: WebhookReceiver | undefined;
  let daemon: Daemon | undefined;
  afterEach(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.exited;
    await hook?.close();
    await cluster?.close();
  });

  it('the schedule goes on, health is red then green, every decided notification is delivered once', async () => {
    const root = tempDir();
    const dirs = { data: join(root, 'data'), watches: join(root, 'watches') };
    mkdirSync(dirs.watches);
    cluster = await startTestCluster({ flavour: 'es9', dataDir: join(root, 'cluster') });
    hook = await startWebhookReceiver();
    for (const id of ['w1', 'w2']) {
      writeFileSync(join(dirs.watches, `${id}.json`), JSON.stringify({
        trigger: { schedule: { interval: '1s' } },
        checks: [],
        actions: [{ type: 'webhook', name: 'hook', request: { url: `${hook.url}/${id}`, body: '{{trigger.scheduled_time}}' } }],
      }));
    }
    daemon = await startDaemon({ dataDir: dirs.data, watchesDir: dirs.watches, env: { VIGIL_STATE_BACKEND: 'cluster', VIGIL_CLUSTER_URL: cluster.url } }, 60_000);
    await until(() => hook!.deliveries().length >= 4, 20_000);
    expect((await health(daemon)).status).toBe('green');

    await cluster.stop();
    const outageStart = Date.now();
    await daemon.waitForLog((r) => /writes are held until the cluster answers/.test(r.msg), 20_000);
    const red = await health(daemon);
    expect(red).toMatchObject({ status: 'red', state_store: { healthy: false } });
    // The schedule goes on: fires keep coming (each watch runs once its last outcome is written;
    // the fires in between are skipped as overlapping, never piled up).
    const fires = (h: typeof red) => h.scheduler.fired + h.scheduler.skipped_overlap;
    await until(async () => fires(await health(daemon!)) >= fires(red) + 4, 20_000);
    const during = await health(daemon);
    expect(during.status).toBe('red');
    expect(during.state_store.queued_writes).toBeGreaterThan(0);
    await cluster.start();
    const outageEnd = Date.now();

    await daemon.waitForLog((r) => /the cluster takes writes again/.test(r.msg), 30_000);
    await until(async () => (await health(daemon!)).status === 'green', 20_000);
    // A few more seconds of normal firing, then a clean stop: what is pending is delivered first.
    const after = hook.deliveries().length;
    await until(() => hook!.deliveries().length >= after + 4, 20_000);
    expect((await daemon.stop()).code).toBe(0);
    daemon = undefined;

    const entries = [...cluster.store.get('vigil-outbox').docs.values()].map((d) => d.source as unknown as OutboxDoc);
    const received = new Map<string, number>();
    for (const r of hook.deliveries()) received.set(r.headers['idempotency-key']!, (received.get(r.headers['idempotency-key']!) ?? 0) + 1);
    // Decided while the cluster was away, delivered once it was back.
    const decidedDuring = entries.filter((e) => e.created_at >= outageStart && e.created_at <= outageEnd);
    expect(decidedDuring.length).toBeGreaterThan(0);
    for (const e of decidedDuring) expect(e.finished_at).toBeGreaterThanOrEqual(outageEnd);
    // Every decided notification delivered, once; nothing received that was not decided.
    expect(entries.filter((e) => e.status !== 'delivered')).toEqual([]);
    for (const e of entries) expect(received.get(e.key), e.key).toBe(1);
    expect([...received.keys()].filter((k) => !entries.some((e) => e.key === k))).toEqual([]);
    expect(hook.duplicates()).toBe(0);
    // The daemon kept nothing on its own disk.
    expect(existsSync(dirs.data)).toBe(false);
  }, 120_000);
});
