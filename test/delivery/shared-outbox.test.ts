/**
 * Deliveries from an outbox two daemons share (the cluster backend): each entry is sent by the daemon
 * holding its claim, a dead daemon's entries are taken over once their lease passed, and a watch's
 * entries never overtake each other across daemons.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { LEASE, decidedOnBothSides, e, pending, pendingOf, ran, sharedDaemons, stepper } from './shared-kit.ts';

describe('a shared outbox', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9', refreshIntervalMs: 10 });
  });
  afterAll(() => cluster.close());

  const daemons = () => sharedDaemons(cluster.url);

  it('entries a daemon committed are its own; after it died they are taken over once their lease passed, each sent once, in order', async () => {
    const { clock, rx, make, closeAll } = await daemons();
    try {
      const a = await make('a');
      const b = await make('b');
      const now = clock.now();
      await a.store.commit({ state: ran('a', 'w1'), enqueue: [e('w1-1', 'w1', now), e('w1-2', 'w1', now)] });
      await a.store.commit({ state: ran('a', 'w1'), enqueue: [e('w1-3', 'w1', now)] });
      expect((await pendingOf(a.store)).map((p) => [p.key, p.claim?.node])).toEqual([['w1-1', 'a'], ['w1-2', 'a'], ['w1-3', 'a']]);
      // a dies before sending anything. b sweeps: the claims hold, nothing is taken.
      b.deliverer.startShared();
      await vi.waitFor(() => expect(b.logs.lines.length).toBeGreaterThanOrEqual(0));
      await clock.advance(LEASE / 3);
      await b.deliverer.idle();
      expect(rx.sent).toEqual([]);
      // Past the lease: b takes all three, sends them once each in their order.
      await clock.advance(LEASE);
      await vi.waitFor(async () => expect(rx.sent.length).toBe(3), { timeout: 5000, interval: 20 });
      await b.deliverer.idle();
      expect(rx.sent).toEqual([{ node: 'b', key: 'w1-1' }, { node: 'b', key: 'w1-2' }, { node: 'b', key: 'w1-3' }]);
      expect(await pendingOf(b.store)).toEqual([]);
      expect(b.logs.lines.some((l) => l.msg === 'shared outbox: pending deliveries taken over')).toBe(true);
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('a clean stop hands over what it did not deliver: another daemon takes it at its next sweep, not a lease later, in order', async () => {
    const { clock, rx, make, closeAll } = await daemons();
    try {
      const a = await make('a');
      const b = await make('b');
      const now = clock.now();
      // a retries w-1, w-2 waits behind it, w-3 is committed and not handed to delivery yet.
      rx.failing.add('w-1');
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', now), e('w-2', 'w', now)] });
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-3', 'w', now)] });
      a.deliverer.startShared();
      await a.shared.idle();
      const first = a.deliverer.deliver(pending('w-1', 'w', now));
      const second = a.deliverer.deliver(pending('w-2', 'w', now));
      await vi.waitFor(async () => expect((await a.store.outbox.get('w-1'))!.attempts).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
      // a's clean stop, as the daemon makes it once the grace period is over.
      a.deliverer.abortAll();
      await a.shared.stop();
      await a.deliverer.idle();
      await a.shared.handOver();
      expect(await first).toMatchObject({ status: 'pending', code: 'ABORTED' });
      expect(await second).toMatchObject({ status: 'pending', code: 'ABORTED' });
      expect((await pendingOf(b.store)).map((p) => [p.key, p.claim])).toEqual([['w-1', null], ['w-2', null], ['w-3', null]]);
      expect(a.logs.lines.some((l) => l.msg === 'shared outbox: pending deliveries handed over' && l.entries === 3)).toBe(true);
      // b's first sweep, well within a's lease: all three, once each, in their order.
      rx.failing.clear();
      await clock.advance(100);
      b.deliverer.startShared();
      await vi.waitFor(() => expect(rx.sent.length).toBe(3), { timeout: 5000, interval: 20 });
      await b.deliverer.idle();
      expect(rx.sent).toEqual([{ node: 'b', key: 'w-1' }, { node: 'b', key: 'w-2' }, { node: 'b', key: 'w-3' }]);
      expect(await pendingOf(b.store)).toEqual([]);
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('a daemon paused past its claim does not send again, on resuming, an entry another daemon took over and sent', async () => {
    const { clock, rx, make, closeAll } = await daemons();
    try {
      const paused = new FakeClock(clock.now());
      const a = await make('a', paused);
      const b = await make('b');
      const now = clock.now();
      // a's receiver fails w-1: a waits between attempts, and then is paused (its clock stands still).
      rx.failing.add('a:w-1');
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', now)] });
      a.deliverer.startShared();
      await a.shared.idle();
      const first = a.deliverer.deliver(pending('w-1', 'w', now));
      await vi.waitFor(async () => expect((await a.store.outbox.get('w-1'))!.attempts).toBe(1), { timeout: 5000, interval: 20 });
      // Past a's lease b takes it over and sends it.
      b.deliverer.startShared();
      await clock.advance(LEASE + LEASE / 3);
      await vi.waitFor(() => expect(rx.sent).toEqual([{ node: 'b', key: 'w-1' }]), { timeout: 5000, interval: 20 });
      await b.deliverer.idle();
      // a resumes: its wall clock has moved on, and its retry is due. Its receiver would take it now.
      rx.failing.clear();
      paused.jump(LEASE + LEASE / 3);
      await paused.advance(5_000);
      expect(await first).toMatchObject({ status: 'pending', code: 'ABORTED', error: 'taken over by another daemon' });
      expect(rx.sent).toEqual([{ node: 'b', key: 'w-1' }]);
      expect(await b.store.outbox.get('w-1')).toMatchObject({ status: 'delivered' });
      await a.shared.stop();
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('a daemon never sends an entry another live daemon holds, and a later entry of its watch waits for it', async () => {
    const { clock, rx, make, closeAll } = await daemons();
    try {
      const a = await make('a');
      const b = await make('b');
      const now = clock.now();
      // a holds w-1 and keeps failing to send it (retrying, claim extended).
      rx.failing.add('w-1');
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', now)] });
      a.deliverer.startShared();
      const first = a.deliverer.deliver(pending('w-1', 'w', now));
      // b becomes the owner (before it decides anything for the watch), then decides w-2, claimed for b.
      await b.shared.adopt(new Set(['_main/w']));
      b.store.watchState.forget!('_main', 'w');
      await b.store.commit({ state: ran('b', 'w'), enqueue: [e('w-2', 'w', now)] });
      // b may not take w-1 (a holds it), and must not send w-2 before it.
      expect((await b.store.outbox.claims!.claim('w-1', 'b', clock.now() + LEASE, clock.now())).ok).toBe(false);
      const second = b.deliverer.deliver(pending('w-2', 'w', now));
      b.deliverer.startShared();
      // Time goes by in steps smaller than a third of the lease, each round of both daemons finished
      // before the next: a keeps its claim extended while it retries.
      const step = stepper(clock, a, b);
      for (let i = 0; i < 30; i++) await step();
      expect(rx.sent).toEqual([]);
      // b's claim of its own w-2 is extended while it waits (a does not take it over).
      expect((await pendingOf(a.store)).map((p) => [p.key, p.claim?.node])).toEqual([['w-1', 'a'], ['w-2', 'b']]);
      // The receiver recovers: a sends w-1 at its next attempt, then b sends w-2.
      rx.failing.clear();
      for (let i = 0; i < 200 && rx.sent.length < 2; i++) await step();
      expect(await first).toMatchObject({ status: 'delivered' });
      expect(await second).toMatchObject({ status: 'delivered' });
      expect(rx.sent).toEqual([{ node: 'a', key: 'w-1' }, { node: 'b', key: 'w-2' }]);
      await a.shared.stop();
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('an entry the previous owner decided after the new owner took the watch still goes first', async () => {
    const kit = await daemons();
    const { clock, rx, make, closeAll } = kit;
    try {
      const a = await make('a');
      const b = await make('b');
      // b takes the watch over; a has not noticed yet and decides one more (its receiver is slow to take it).
      const { first, second } = await decidedOnBothSides(kit, a, b);
      const step = stepper(clock, a, b);
      for (let i = 0; i < 10; i++) await step();
      expect(rx.sent).toEqual([]);
      rx.failing.clear();
      for (let i = 0; i < 200 && rx.sent.length < 2; i++) await step();
      expect(await first).toMatchObject({ status: 'delivered' });
      expect(await second).toMatchObject({ status: 'delivered' });
      expect(rx.sent).toEqual([{ node: 'a', key: 'w-a' }, { node: 'b', key: 'w-b' }]);
      await a.shared.stop();
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('an entry discarded through another daemon stops being attempted by the daemon holding it, at its next claim renewal', async () => {
    const { clock, rx, make, closeAll } = await daemons();
    try {
      const a = await make('a');
      const b = await make('b');
      const now = clock.now();
      rx.failing.add('w-1');
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', now)] });
      a.deliverer.startShared();
      b.deliverer.startShared();
      const first = a.deliverer.deliver(pending('w-1', 'w', now));
      const step = stepper(clock, a, b);
      for (let i = 0; i < 4; i++) await step();
      // b cannot hurry it (a holds it and retries on its own schedule); it can discard it.
      expect(await b.deliverer.heldElsewhere('w-1')).toBe('a');
      expect(await a.deliverer.heldElsewhere('w-1')).toBeNull();
      expect(await b.store.outbox.cancel('w-1', 'discarded through the API by admin', clock.now())).toMatchObject({ status: 'pending' });
      b.deliverer.cancel('w-1');
      // a hears of it at its next claim renewal (every third of the lease) ...
      for (let i = 0; i < 8; i++) await step();
      // ... so once the receiver would take it, a does not send it again.
      rx.failing.clear();
      for (let i = 0; i < 40; i++) await step();
      expect(await first).toMatchObject({ status: 'failed', code: 'CANCELLED' });
      expect(rx.sent).toEqual([]);
      expect(await a.store.outbox.get('w-1')).toMatchObject({ status: 'cancelled', lastError: 'discarded through the API by admin' });
      expect(a.logs.lines.some((l) => String(l.msg).startsWith('shared outbox: delivery claims lost'))).toBe(false);
      await a.shared.stop();
      await b.shared.stop();
    } finally {
      await closeAll();
    }
  });

  it('a failed entry retried through another daemon is requeued unclaimed and sent by the first daemon to claim it', async () => {
    const { clock, rx, make, closeAll } = await daemons();
    try {
      const a = await make('a');
      const b = await make('b');
      const now = clock.now();
      await a.store.commit({ state: ran('a', 'w'), enqueue: [e('w-1', 'w', now)] });
      // a failed it for good a moment ago; its claim has not run out yet.
      await a.store.outbox.markFailed('w-1', 'HTTP_4XX: 400', clock.now(), 1);
      expect((await a.store.outbox.get('w-1'))!.status).toBe('failed');
      const requeued = (await b.store.outbox.requeue('w-1', { deadline: clock.now() + 60_000, nextAttemptAt: clock.now() }))!;
      expect(await b.deliverer.heldElsewhere('w-1')).toBeNull();
      expect(await b.deliverer.deliver(requeued)).toMatchObject({ status: 'delivered' });
      expect(rx.sent).toEqual([{ node: 'b', key: 'w-1' }]);
    } finally {
      await closeAll();
    }
  });
});
