/**
 * Saturate, never collapse: watches scheduled faster than their one receiver can take them. Delivery
 * stays busy at what the receiver allows, no notification fails and no attempt is wasted on a full
 * queue, the backlog held in memory stays at its limit (the scheduler holds fires back instead), and
 * the daemon says it is overloaded. The whole app in-process on the real clock (scheduling in real time).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { captureLogger } from '../kit/log-capture.ts';

let app: App | undefined;
let server: Server | undefined;
let root: string | undefined;
afterEach(async () => {
  await app?.stop();
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  if (root) rmSync(root, { recursive: true, force: true });
  app = server = root = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('demand above what the receiver takes: it stays busy, nothing fails, the backlog stays at its limit, and the daemon says so', async () => {
  let received = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => (received++, res.end('ok')), 20));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;

  root = mkdtempSync(join(tmpdir(), 'vigil-overload-'));
  const watchesDir = join(root, 'watches');
  mkdirSync(watchesDir);
  // 200 watches a second against a receiver that takes at most ~100 (2 at a time, 20 ms each).
  for (let i = 0; i < 200; i++) {
    writeFileSync(
      join(watchesDir, `w${i}.json`),
      JSON.stringify({ trigger: { schedule: { interval: '1s' } }, checks: [{ type: 'static', name: 's', target: 's', value: { i } }], actions: [{ type: 'webhook', name: 'hook', request: { url, body: '{{data.s.i}}' } }] }),
    );
  }
  const limit = 30;
  const concurrency = 32;
  const config = loadConfig({
    env: {},
    overrides: {
      data_dir: join(root, 'data'),
      watches_dir: watchesDir,
      accounts_dir: join(root, 'accounts'),
      egress: { allow: ['127.0.0.1'], disabled_action_types: [] },
      scheduler: { concurrency },
      delivery: { per_destination_concurrency: 2, queue_limit: limit, shutdown_grace_ms: 1_000 },
    },
  });
  const logs = captureLogger('info');
  app = await buildApp(config, { logger: logs.logger, env: {} });
  await app.start();

  let maxBacklog = 0;
  let pausedSeen = false;
  const t0 = Date.now();
  while (Date.now() - t0 < 5_000) {
    maxBacklog = Math.max(maxBacklog, app.deliverer.backlog);
    pausedSeen ||= app.scheduler.stats().paused;
    await sleep(10);
  }
  const metric = async (name: string, labels = '') => {
    const text = await app!.metrics.registry.getSingleMetricAsString(name);
    return [...text.matchAll(new RegExp(`^${name}${labels.replace(/[{}]/g, (c) => `\\${c}`)}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
  };
  const attempts = await metric('vigil_delivery_attempts_total');
  const delivered = await metric('vigil_deliveries_total', '{type="webhook",outcome="delivered"}');
  const failed = await metric('vigil_deliveries_total', '{type="webhook",outcome="failed"}');
  const stats = app.scheduler.stats();

  // It kept delivering (the receiver's pace, not a trickle) …
  expect(received).toBeGreaterThan(100);
  // … nothing failed, and every attempt was a real one: no retries spinning on a full queue.
  expect(failed).toBe(0);
  expect(attempts).toBeLessThanOrEqual(delivered + 2);
  expect(logs.lines.some((l) => l.code === 'QUEUE_FULL')).toBe(false);
  // Memory: the backlog stayed at its limit, plus at most the runs already in their checks when it filled.
  expect(maxBacklog).toBeGreaterThanOrEqual(limit);
  expect(maxBacklog).toBeLessThanOrEqual(limit + concurrency);
  // The scheduler held fires back instead, and counted them.
  expect(pausedSeen).toBe(true);
  expect(stats.deferred).toBeGreaterThan(0);
  expect(stats.fired).toBeLessThan(5 * 200);
  // Said once, not per notification; and in the metrics.
  expect(logs.lines.filter((l) => String(l.msg).startsWith('overloaded:'))).toHaveLength(1);
  expect(await metric('vigil_overloaded')).toBe(1);
  expect(await metric('vigil_scheduler_deferred_total')).toBe(stats.deferred);
  expect(await metric('vigil_outbox_backlog')).toBeLessThanOrEqual(limit + concurrency);
}, 30_000);
