/**
 * A delivery that changes hands (handed over at a clean stop, taken back by a daemon restarted under the
 * same name, taken over from a dead one) gets its whole retry window from when its new holder claims it:
 * counted from the entry's creation, one that changed hands near its deadline had a single attempt, and a
 * receiver a little slow at that moment failed it for good.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { decidedOnBothSides, e, pending, pendingOf, ran, sharedDaemons, stepper } from './shared-kit.ts';

/** The retry window of the entries here: a watch without throttle (the minimum, DEADLINE.minMs). */
const WINDOW = 10_000;

type Kit = Awaited<ReturnType<typeof sharedDaemons>>;
type Daemon = Awaited<ReturnType<Kit['make']>>;

/**
 * `d` takes `key` up now while its receiver refuses it once: after that first attempt the stored row
 * carries the deadline `d` applies (a whole window from now: what the deliveries API shows), and the retry
 * a second later delivers it.
 */
async function refusedOnceThenDelivered(kit: Kit, d: Daemon, key: string): Promise<void> {
  const takenAt = kit.clock.now();
  kit.rx.failing.add(key);
  d.deliverer.startShared();
  await vi.waitFor(async () => expect((await d.store.outbox.get(key))!.attempts).toBe(1), { timeout: 5000, interval: 20 });
  expect(await d.store.outbox.get(key)).toMatchObject({ status: 'pending', deadline: takenAt + WINDOW, windowMs: WINDOW });
  kit.rx.failing.clear();
  await kit.clock.advance(1_000);
  await d.deliverer.idle();
  expect(await d.store.outbox.get(key)).toMatchObject({ status: 'delivered', attempts: 2 });
}

describe('a delivery that changes hands', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9', refreshIntervalMs: 10 });
  });
  afterAll(() => cluster.close());

  it('handed over at a clean stop with little of its window left: retried by the next daemon for a whole window', async () => {
    const kit = await sharedDaemons(cluster.url);
    const { clock, rx, make, closeAll } = kit;
    try {
      const a = await make('a');
      const b = await make('b');
      const created = clock.now();
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', created, WINDOW)] });
      // a is stopped before it sends it (a busy machine), 9.8 s into the entry's 10 s window.
      await clock.advance(WINDOW - 200);
      await a.shared.stop();
      await a.shared.handOver();
      expect((await pendingOf(b.store)).map((p) => [p.key, p.claim])).toEqual([['w-1', null]]);
      // b's receiver is slow to take it at first: the first attempt fails, the retry is 0.5 s later.
      await refusedOnceThenDelivered(kit, b, 'w-1');
      expect(rx.sent).toEqual([{ node: 'b', key: 'w-1' }]);
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('taken back by its daemon restarted under the same name, late in its window: retried for a whole window', async () => {
    const kit = await sharedDaemons(cluster.url);
    const { clock, rx, make, closeAll } = kit;
    try {
      const before = await make('a');
      const created = clock.now();
      await before.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', created, WINDOW)] });
      // The first process of `a` is killed before it sends it; the next one starts 9.8 s into its window.
      await clock.advance(WINDOW - 200);
      const after = await make('a');
      await refusedOnceThenDelivered(kit, after, 'w-1');
      expect(rx.sent).toEqual([{ node: 'a', key: 'w-1' }]);
      await after.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('queued behind an earlier entry of its watch another daemon holds: its window, as stored, starts once that one is done', async () => {
    const kit = await sharedDaemons(cluster.url);
    const { clock, rx, make, closeAll } = kit;
    try {
      const a = await make('a');
      const b = await make('b');
      // b takes the watch over; a, not knowing yet, decides one more, which its receiver is slow to take.
      const { first, second } = await decidedOnBothSides(kit, a, b, WINDOW);
      const step = stepper(clock, a, b);
      // w-b waits 6 s of its 10 s window behind w-a.
      for (let i = 0; i < 12; i++) await step();
      rx.failing.clear();
      for (let i = 0; i < 100 && rx.sent.length < 2; i++) await step();
      expect(await first).toMatchObject({ status: 'delivered' });
      expect(await second).toMatchObject({ status: 'delivered' });
      expect(rx.sent).toEqual([{ node: 'a', key: 'w-a' }, { node: 'b', key: 'w-b' }]);
      const done = (await b.store.outbox.get('w-a'))!.finishedAt!;
      const row = (await b.store.outbox.get('w-b'))!;
      expect(row.deadline).toBeGreaterThanOrEqual(done + WINDOW);
      expect(row.deadline).toBeLessThanOrEqual(row.finishedAt! + WINDOW);
      expect(row.windowMs).toBe(WINDOW);
      await a.shared.stop();
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('still gives up once a whole window has passed since it changed hands, saying so', async () => {
    const { clock, rx, make, closeAll } = await sharedDaemons(cluster.url);
    try {
      const a = await make('a');
      const b = await make('b');
      const created = clock.now();
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', created, WINDOW)] });
      await clock.advance(WINDOW - 200);
      await a.shared.stop();
      await a.shared.handOver();
      rx.failing.add('w-1');
      b.deliverer.startShared();
      const takenAt = clock.now();
      await vi.waitFor(async () => expect((await b.store.outbox.get('w-1'))!.attempts).toBe(1), { timeout: 5000, interval: 20 });
      for (let i = 0; i < 60 && (await b.store.outbox.get('w-1'))!.status === 'pending'; i++) await clock.advance(500);
      await b.deliverer.idle();
      const row = (await b.store.outbox.get('w-1'))!;
      expect(row).toMatchObject({ status: 'failed' });
      expect(row.lastError).toMatch(/^DEADLINE_EXCEEDED: gave up after \d+ attempts; last error HTTP_5XX: HTTP 503$/);
      expect(row.attempts).toBeGreaterThan(3);
      // Backoff 0.5, 0.75, 1.1, 1.7, 2.5 s: the next wait, 3.8 s, would end past the window.
      expect(row.finishedAt! - takenAt).toBeGreaterThan(WINDOW / 2);
      expect(row.finishedAt! - takenAt).toBeLessThanOrEqual(WINDOW);
      // The stored deadline is the one that was applied: no attempt after it, and the window not longer.
      expect(row.deadline).toBe(takenAt + WINDOW);
      expect(row.finishedAt!).toBeLessThanOrEqual(row.deadline);
      expect(rx.sent).toEqual([]);
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });
});
