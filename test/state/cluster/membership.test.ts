/**
 * Membership through heartbeat documents: live while the lease runs, gone after it, removed at once by
 * a clean stop, and a daemon that cannot heartbeat counts itself out.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/server.ts';
import { FakeClock } from '../../kit/fake-clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { Membership } from '../../../src/state/cluster/membership.ts';
import { indexNames } from '../../../src/state/cluster/names.ts';
import { ensureIndices } from '../../../src/state/cluster/setup.ts';
import { docStore, freshPrefix } from './kit.ts';

describe('membership', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ flavour: 'es9' });
  });
  afterAll(() => cluster.close());

  async function setUp() {
    const names = indexNames(freshPrefix());
    const ds = docStore(cluster.url);
    await ensureIndices(ds, names, silentLogger());
    const clock = new FakeClock();
    const member = (node: string, stats?: () => Record<string, unknown>) => new Membership({ docs: ds, index: names.nodes, node, leaseMs: 10_000, clock, logger: silentLogger(), ...(stats ? { stats } : {}) });
    return { ds, names, clock, member };
  }

  it('sees the others while their lease runs, loses one whose heartbeat stopped, and drops a cleanly stopped one at once', async () => {
    const { ds, clock, member } = await setUp();
    try {
      const a = member('a', () => ({ owned: 7 }));
      const b = member('b');
      const c = member('c');
      const changes: string[][] = [];
      a.onChange((live) => changes.push([...live]));
      await a.beat();
      await b.beat();
      await c.beat();
      await a.beat();
      expect(a.live()).toEqual(['a', 'b', 'c']);
      expect(a.members().find((m) => m.node === 'a')?.stats).toEqual({ owned: 7 });
      // b keeps beating, c stops (killed): after the lease a sees c gone.
      await clock.advance(6_000);
      await b.beat();
      await a.beat();
      expect(a.live()).toEqual(['a', 'b', 'c']);
      await clock.advance(5_000);
      await b.beat();
      await a.beat();
      expect(a.live()).toEqual(['a', 'b']);
      expect(a.members().find((m) => m.node === 'c')?.live).toBe(false);
      // A clean stop: gone at the next heartbeat, within the lease.
      await b.stop();
      await a.beat();
      expect(a.live()).toEqual(['a']);
      expect(changes).toEqual([['a'], ['a', 'b', 'c'], ['a', 'b'], ['a']]);
      // c comes back (a new process of the same name).
      const c2 = member('c');
      await c2.beat();
      await a.beat();
      expect(a.live()).toEqual(['a', 'c']);
      // The old c stopping late does not remove the new one's heartbeat.
      await c.stop();
      await a.beat();
      expect(a.live()).toEqual(['a', 'c']);
    } finally {
      await ds.close();
    }
  });

  it('a daemon whose heartbeat is not acknowledged within the lease counts itself out, and back in with the next one', async () => {
    const { ds, clock, member } = await setUp();
    try {
      const a = member('a');
      await a.beat();
      expect(a.live()).toEqual(['a']);
      cluster.setFault(() => ({ status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'test' }, status: 503 } }));
      await clock.advance(4_000);
      await a.beat();
      expect(a.live()).toEqual(['a']);
      await clock.advance(7_000);
      await a.beat();
      expect(a.selfLive()).toBe(false);
      expect(a.live()).toEqual([]);
      // What the health model reports (NODE_COUNTED_OUT): out, since when, and why.
      expect(a.status()).toMatchObject({ countedOut: true, leaseMs: 10_000, lastHeartbeatAt: clock.now() - 11_000, lastError: expect.stringContaining('unavailable_shards_exception') });
      cluster.setFault(undefined);
      await a.beat();
      expect(a.live()).toEqual(['a']);
      expect(a.status()).toMatchObject({ countedOut: false, lastHeartbeatAt: clock.now(), lastError: null });
    } finally {
      cluster.setFault(undefined);
      await ds.close();
    }
  });

  it('heartbeats every third of the lease once started, until stopped', async () => {
    const { ds, clock, member, names } = await setUp();
    try {
      const a = member('a');
      await a.start();
      const first = (await ds.get<{ heartbeat_at: number }>(names.nodes, 'a'))!.source.heartbeat_at;
      await clock.advance(3_333);
      await a.beat();
      expect((await ds.get<{ heartbeat_at: number }>(names.nodes, 'a'))!.source.heartbeat_at).toBeGreaterThan(first);
      await a.stop();
      expect(await ds.get(names.nodes, 'a')).toBeUndefined();
      expect(clock.pendingTimers()).toBe(0);
    } finally {
      await ds.close();
    }
  });

  it('notices a daemon gone when its lease runs out, not at its own next heartbeat', async () => {
    const { ds, clock, member } = await setUp();
    try {
      const a = member('a');
      const c = member('c');
      await c.beat();
      await a.beat();
      expect(a.live()).toEqual(['a', 'c']);
      const changes: string[][] = [];
      a.onChange((live) => changes.push([...live]));
      // c is killed; a heartbeats at 6 s (c still within its lease), and its next heartbeat would be at 9.3 s + …
      await clock.advance(6_000);
      await a.beat();
      expect(a.live()).toEqual(['a', 'c']);
      // … but c's lease ends at 10 s, and a reads the membership then.
      await clock.advance(4_001);
      await vi.waitFor(() => expect(changes).toEqual([['a']]));
      expect(a.members().find((m) => m.node === 'c')?.live).toBe(false);
      await a.stop();
      expect(clock.pendingTimers()).toBe(0);
    } finally {
      await ds.close();
    }
  });

  it('daemons started together find each other at the second heartbeat, a second after the first', async () => {
    const { ds, clock, member } = await setUp();
    try {
      const a = member('a');
      const b = member('b');
      // a's first heartbeat reads before b has written its own: a believes it is alone.
      await a.start();
      await b.start();
      expect(a.live()).toEqual(['a']);
      expect(b.live()).toEqual(['a', 'b']);
      await clock.advance(1_000);
      await vi.waitFor(() => expect(a.live()).toEqual(['a', 'b']));
      await a.stop();
      await b.stop();
    } finally {
      await ds.close();
    }
  });
});
