/**
 * Delivery limits through buildApp: a disabled action type fails clearly (at load for watches, at
 * delivery for entries already in the outbox), a full delivery backlog is waiting (counted and reported
 * as overload, never a failed attempt), and a receiver that does not answer holds no run slot.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { appKit, webhookWatch, type AppKit } from './app-kit.ts';

let kit: AppKit | undefined;
let server: Server | undefined;
afterEach(async () => {
  await kit?.close();
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  kit = server = undefined;
});

describe('disabled action types', () => {
  it('a watch using one is invalid at load; a pending entry of that type fails naming the setting', async () => {
    kit = await appKit({ autoStart: false, config: { egress: { allow: ['127.0.0.1'], disabled_action_types: ['webhook'] } } });
    kit.writeWatch('w', webhookWatch('http://127.0.0.1:9/x'));
    const now = kit.clock.now();
    await kit.app.store.outbox.enqueue({
      key: 'k-disabled',
      tenant: '_main',
      watchId: 'w',
      action: 'hook',
      actionType: 'webhook',
      accountId: null,
      episodeKey: 'e',
      notification: { kind: 'fire', request: {}, summary: 'queued before the type was disabled' },
      createdAt: now,
      deadline: now + 10_000,
      nextAttemptAt: now,
    });
    await kit.app.start();
    expect(kit.app.watches.counts()).toEqual({ valid: 0, invalid: 1 });
    await kit.drive(() => false, { maxMs: 200 });
    const row = await kit.app.store.outbox.get('k-disabled');
    expect(row?.status).toBe('failed');
    expect(row?.lastError).toBe('ACTION_TYPE_DISABLED: action type webhook is disabled on this node (egress.disabled_action_types)');
    expect(kit.logs.lines.some((l) => l.code === 'ACTION_TYPE_DISABLED')).toBe(true);
  });
});

describe('a full delivery backlog', () => {
  it('is waiting, not a failed attempt: every notification arrives at its first attempt, and the daemon says it is overloaded', async () => {
    let received = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => (received++, res.end('ok')), 100));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    kit = await appKit({ config: { delivery: { per_destination_concurrency: 1, queue_limit: 1, shutdown_grace_ms: 1000 } } });
    // Three watches, one destination, a backlog of one: one sends, the others wait their turn.
    for (const id of ['a', 'b', 'c']) kit.writeWatch(id, webhookWatch(`${url}/${id}`, { throttle_period: '5m' }));
    await kit.app.reload();
    const runs = Promise.all(['a', 'b', 'c'].map((id) => kit!.app.watches.execute('_main', id, {})));
    let done = false;
    void runs.then(() => (done = true));
    await kit.drive(() => done, { stepMs: 20, maxMs: 120_000 });
    const records = await runs;
    expect(records.map((r) => [r.actions[0]!.status.code, r.actions[0]!.delivery?.attempts])).toEqual([
      ['ACTION_EXECUTED', 1],
      ['ACTION_EXECUTED', 1],
      ['ACTION_EXECUTED', 1],
    ]);
    expect(received).toBe(3);
    const text = (name: string) => kit!.app.metrics.registry.getSingleMetricAsString(name);
    expect(await text('vigil_delivery_attempts_total')).toMatch(/vigil_delivery_attempts_total\{type="webhook"\} 3$/m);
    expect(kit.logs.lines.some((l) => l.code === 'QUEUE_FULL')).toBe(false);
    expect(kit.logs.lines.filter((l) => String(l.msg).startsWith('overloaded:'))).toMatchObject([{ level: 40, limit: 1 }]);
    expect(await text('vigil_overloaded')).toMatch(/^vigil_overloaded 1$/m);
    // Room again for 10 s: over, and said so once.
    await kit.drive(() => kit!.logs.lines.some((l) => l.msg === 'no longer overloaded'), { stepMs: 500, maxMs: 20_000 });
    expect(await text('vigil_overloaded')).toMatch(/^vigil_overloaded 0$/m);
  });
});

describe('a receiver that does not answer', () => {
  it('does not hold the run slots: with concurrency 1 other watches keep running on time', async () => {
    const hung: Array<() => void> = [];
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => hung.push(() => res.end('ok')));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    kit = await appKit({ config: { scheduler: { concurrency: 1, queue_limit: 10, misfire_threshold_ms: 10_000 } } });
    kit.writeWatch('slow', webhookWatch(`${url}/slow`, { throttle_period: '5m' }, { interval: '1s' }));
    kit.writeWatch('beat', { trigger: { schedule: { interval: '1s' } }, checks: [], actions: [{ type: 'log', name: 'say', text: 'beat' }] });
    await kit.app.reload();
    const beats = () => kit!.logs.lines.filter((l) => l.event === 'watch_log_action').length;
    await kit.drive(() => hung.length > 0 && beats() >= 5, { stepMs: 100, maxMs: 20_000 });
    // The webhook is still unanswered, its watch still in flight (its own fires are overlaps) …
    expect(hung.length).toBe(1);
    expect(kit.app.scheduler.stats()).toMatchObject({ running: 0, finishing: 1 });
    expect(kit.app.scheduler.stats().skippedOverlap).toBeGreaterThan(0);
    // … and the other watch ran on every second meanwhile, not queued behind it.
    expect(beats()).toBeGreaterThanOrEqual(5);
    expect(kit.app.scheduler.stats().lateness.maxMs).toBeLessThan(1_000);
    hung.splice(0).forEach((answer) => answer());
  });
});
