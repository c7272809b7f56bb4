import { describe, it, expect, afterEach } from 'vitest';
import pino from 'pino';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { Pruner } from '../../src/state/pruner.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { tempDirs } from '../kit/temp-dirs.ts';

const tempDir = tempDirs('vigil-pruner-');
const DAY = 86_400_000;
const logger = pino({ level: 'silent' });
const stores: SqliteStateStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function open(): SqliteStateStore {
  const store = new SqliteStateStore(tempDir());
  stores.push(store);
  return store;
}

async function appendLogs(store: SqliteStateStore, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await store.log.append({
      id: `r${i}`, tenant: '_main', watch_id: 'w', watch_version: 'v', status: { code: 'NO_ACTION' },
      execution_start: 'x', execution_end: 'x', actions: [], resolve_actions: [], node: 'n',
    });
  }
}

const logIds = async (store: SqliteStateStore) => (await store.log.query({ size: 1000 })).map((r) => r.id).reverse();

/** Records each runOnce the pruner starts, so a test can await the pass its timer began. */
function passesOf(pruner: Pruner): Array<Promise<unknown>> {
  const passes: Array<Promise<unknown>> = [];
  const run = pruner.runOnce.bind(pruner);
  pruner.runOnce = () => {
    const p = run();
    passes.push(p);
    return p;
  };
  return passes;
}

function outboxEntry(key: string, createdAt: number) {
  return {
    key, tenant: '_main', watchId: 'w', action: 'a', actionType: 'webhook', accountId: null, episodeKey: 'ep',
    notification: { kind: 'fire', request: { body: 'x' }, summary: 's' }, createdAt, deadline: createdAt + DAY, nextAttemptAt: createdAt,
  };
}

describe('Pruner', () => {
  it('keeps the log within its retention, one bounded statement at a time', async () => {
    const store = open();
    await appendLogs(store, 0, 25);
    const limits: number[] = [];
    const prune = store.log.prune.bind(store.log);
    store.log.prune = async (max, limit) => {
      limits.push(limit!);
      return prune(max, limit);
    };
    const pruner = new Pruner({ store, clock: new FakeClock(), logger, logRetention: 5, outboxMaxAgeMs: DAY, batch: 4 });
    const removed = await pruner.runOnce();
    expect(removed).toEqual({ log: 20, outbox: 0 });
    expect(await logIds(store)).toEqual(['r20', 'r21', 'r22', 'r23', 'r24']);
    // 4 + 4 + 4 + 4 + 4, then a call that finds nothing left to remove.
    expect(limits).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('lets the event loop run between two statements, even over a store that answers without I/O', async () => {
    const events: string[] = [];
    let left = 12;
    const prune = async (_: number, limit?: number) => {
      events.push('prune');
      const n = Math.min(left, limit!);
      left -= n;
      return n;
    };
    const store = { log: { prune }, outbox: { prune: async () => 0 } } as unknown as Pick<SqliteStateStore, 'log' | 'outbox'>;
    const pruner = new Pruner({ store, clock: new FakeClock(), logger, logRetention: 5, outboxMaxAgeMs: DAY, batch: 4 });
    // Queued before the pass: it runs at the pass's first yield, not after the whole pass.
    setImmediate(() => events.push('other work'));
    expect(await pruner.runOnce()).toEqual({ log: 12, outbox: 0 });
    expect(events.slice(0, 3)).toEqual(['prune', 'other work', 'prune']);
  });

  it('drops finished outbox entries older than the age limit, through an index, and keeps pending and recent ones', async () => {
    const clock = new FakeClock('2026-03-10T00:00:00Z');
    const store = open();
    const now = clock.now();
    for (const [key, created] of [['old-delivered', now - 9 * DAY], ['old-failed', now - 9 * DAY], ['old-pending', now - 9 * DAY], ['recent', now - 2 * DAY]] as const) {
      await store.outbox.enqueue(outboxEntry(key, created));
    }
    await store.outbox.markDelivered('old-delivered', now - 8 * DAY, 1);
    await store.outbox.markFailed('old-failed', 'gave up', now - 8 * DAY, 3);
    await store.outbox.markDelivered('recent', now - 2 * DAY, 1);
    const pruner = new Pruner({ store, clock, logger, logRetention: 100, outboxMaxAgeMs: 7 * DAY, batch: 1 });
    expect(await pruner.runOnce()).toEqual({ log: 0, outbox: 2 });
    expect(await store.outbox.get('old-delivered')).toBeUndefined();
    expect(await store.outbox.get('old-failed')).toBeUndefined();
    expect((await store.outbox.get('old-pending'))?.status).toBe('pending');
    expect((await store.outbox.get('recent'))?.status).toBe('delivered');
    // Days of deliveries must not be scanned to find the few to remove.
    const plan = store.db
      .prepare("EXPLAIN QUERY PLAN SELECT rowid FROM outbox WHERE status != 'pending' AND finished_at < ? ORDER BY finished_at LIMIT ?")
      .all(now, 10) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' | ')).toContain('USING INDEX outbox_finished');
  });

  it('passes at start and then every interval after the previous pass ended; stop ends them', async () => {
    const clock = new FakeClock();
    const store = open();
    await appendLogs(store, 0, 8);
    const pruner = new Pruner({ store, clock, logger, logRetention: 5, outboxMaxAgeMs: DAY, intervalMs: 10_000, batch: 2 });
    const passes = passesOf(pruner);
    pruner.start();
    pruner.start();
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(0);
    expect(await passes[0]).toEqual({ log: 3, outbox: 0 });
    expect(clock.nextTimerIn()).toBe(10_000);
    await appendLogs(store, 8, 3);
    await clock.advance(9_999);
    expect(passes).toHaveLength(1);
    await clock.advance(1);
    expect(await passes[1]).toEqual({ log: 3, outbox: 0 });
    expect(await logIds(store)).toEqual(['r6', 'r7', 'r8', 'r9', 'r10']);
    await pruner.stop();
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(60_000);
    expect(passes).toHaveLength(2);
  });

  it('stop lets a pass in flight finish its statement and start no other', async () => {
    const clock = new FakeClock();
    const store = open();
    await appendLogs(store, 0, 25);
    const pruner = new Pruner({ store, clock, logger, logRetention: 5, outboxMaxAgeMs: DAY, batch: 2 });
    const passes = passesOf(pruner);
    const order: string[] = [];
    let stopped: Promise<void> | undefined;
    const prune = store.log.prune.bind(store.log);
    store.log.prune = async (max, limit) => {
      // The daemon stops while the pass's first statement runs.
      stopped ??= pruner.stop().then(() => void order.push('stop resolved'));
      return prune(max, limit);
    };
    pruner.start();
    await clock.advance(0);
    await stopped;
    order.push('after stop');
    expect(await passes[0]).toEqual({ log: 2, outbox: 0 });
    expect(order).toEqual(['stop resolved', 'after stop']);
    expect(await logIds(store)).toHaveLength(23);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(60_000);
    expect(passes).toHaveLength(1);
  });
});
