/**
 * Shutdown in-process (buildApp + FakeClock): stop() is bounded by the grace period even when a run is
 * waiting on a receiver that never answers, and an attempt cut short by it never turns into a failed
 * (dropped) notification, even when its retry deadline has passed meanwhile.
 */
import { rmSync } from 'node:fs';
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

  let stopped = false;
  const stop = kit.app.stop().then(() => (stopped = true));
  // The 10 s retry deadline passes during the 15 s grace.
  await kit.clock.advance(14_900);
  expect(stopped).toBe(false);
  await kit.drive(() => stopped, { stepMs: 100, maxMs: 10_000 });
  await stop;
  expect(stopped).toBe(true);

  // Reopen the state directory: the notification is still due.
  const store = new SqliteStateStore(kit.app.config.data_dir);
  try {
    expect((await store.outbox.get(key))?.status).toBe('pending');
    const [last] = await store.log.query({ watchId: 'w', size: 1 });
    expect(last?.actions[0]?.error?.detail).toBe('ABORTED');
  } finally {
    await store.close();
    rmSync(dirname(kit.app.config.data_dir), { recursive: true, force: true });
  }
});
