/**
 * Shutdown in-process (buildApp + FakeClock): stop() is bounded by the grace period even when a run is
 * waiting on a receiver that never answers or is stuck in its checks, and an attempt cut short by it
 * never turns into a failed (dropped) notification, even when its retry deadline has passed meanwhile.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { appKit, webhookWatch, type AppKit } from './app-kit.ts';

let kit: AppKit | undefined;
let hook: WebhookReceiver | undefined;
afterEach(async () => {
  await hook?.close();
  kit = hook = undefined;
});

/** Stops the app: still stopping `stillStoppingAfterMs` into the grace period, stopped once it ends. */
async function stopThroughGrace(k: AppKit, stillStoppingAfterMs: number): Promise<void> {
  let stopped = false;
  const stop = k.app.stop().then(() => (stopped = true));
  await k.clock.advance(stillStoppingAfterMs);
  expect(stopped).toBe(false);
  await k.drive(() => stopped, { stepMs: 100, maxMs: 10_000 });
  await stop;
  expect(stopped).toBe(true);
}

/** Reopens the stopped app's state directory for `read`, then closes it and removes the directory. */
async function readStoppedState(k: AppKit, read: (store: SqliteStateStore) => Promise<void>): Promise<void> {
  const store = new SqliteStateStore(k.app.config.data_dir);
  try {
    await read(store);
  } finally {
    await store.close();
    rmSync(dirname(k.app.config.data_dir), { recursive: true, force: true });
  }
}

it('stop() during a hung delivery past its deadline: returns after the grace period, the entry stays pending', async () => {
  hook = await startWebhookReceiver();
  hook.fault({ hang: true });
  kit = await appKit({ config: { delivery: { shutdown_grace_ms: 15_000, per_destination_concurrency: 4, queue_limit: 100 } } });
  // A scheduled run (the scheduler waits for it on stop) and a real read timeout of 60 s: only stop()
  // can end this attempt.
  kit.writeWatch('w', webhookWatch(`${hook.url}/in`, { read_timeout: 60 }, { interval: '1s' }));
  await kit.app.reload();
  await kit.drive(() => hook!.requests.length === 1, { stepMs: 10, maxMs: 5000 });
  expect(hook.requests).toHaveLength(1);
  const key = hook.requests[0]!.headers['idempotency-key']!;

  // The 10 s retry deadline passes during the 15 s grace.
  await stopThroughGrace(kit, 14_900);

  // Reopen the state directory: the notification is still due.
  await readStoppedState(kit, async (store) => {
    expect((await store.outbox.get(key))?.status).toBe('pending');
    const [last] = await store.log.query({ watchId: 'w', size: 1 });
    // Not sent, not failed: the log says so, and says when it will be.
    expect(last?.status.code).toBe('DELIVERY_PENDING');
    expect(last?.actions[0]).toMatchObject({ status: { code: 'DELIVERY_PENDING', detail: expect.stringContaining('after the next start') }, delivery: { status: 'pending', attempts: 1 } });
  });
});

it('stop() while a run waits in its checks on a server that never answers: the check is aborted at the end of the grace period', async () => {
  const held: Array<() => void> = [];
  const server: Server = createServer((req) => held.push(() => req.socket.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
    kit = await appKit({ config: { delivery: { shutdown_grace_ms: 5_000, per_destination_concurrency: 4, queue_limit: 100 } } });
    kit.writeWatch('w', {
      trigger: { schedule: { interval: '1s' } },
      checks: [{ type: 'http', name: 'probe', target: 'probe', request: { method: 'GET', url }, read_timeout: 60, connection_timeout: 60 }],
      actions: [{ type: 'log', name: 'say', text: 'never' }],
    });
    await kit.app.reload();
    await kit.drive(() => held.length === 1, { stepMs: 10, maxMs: 5000 });
    expect(held).toHaveLength(1);

    await stopThroughGrace(kit, 4_900);
    await readStoppedState(kit, async (store) => {
      const [last] = await store.log.query({ watchId: 'w', size: 1 });
      expect(last).toMatchObject({ status: { code: 'EXECUTION_FAILED' }, error: { check: 'probe' } });
    });
  } finally {
    held.splice(0).forEach((f) => f());
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}, 30_000);
