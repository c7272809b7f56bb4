/** The background prober's check of the state store: on demand as well as per round, never stale. */
import { describe, expect, it } from 'vitest';
import { Prober } from '../../src/health/probes.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../kit/fake-clock.ts';

/** A store whose pings wait for `release()`, answering with what `failing` says when released. */
function gatedStore() {
  const waiting: Array<() => void> = [];
  const s = {
    failing: false,
    queued: 0,
    pings: 0,
    release: () => waiting.splice(0).forEach((go) => go()),
    store: {
      ping: async () => {
        s.pings++;
        const failing = await new Promise<boolean>((resolve) => waiting.push(() => resolve(s.failing)));
        if (failing) throw new Error('the state cluster does not take writes: connect ECONNREFUSED');
      },
      outbox: { stats: async () => ({ pending: 0, oldestPendingAt: null }) },
    },
    waiting,
  };
  return s;
}

const proberOn = (s: ReturnType<typeof gatedStore>) =>
  new Prober({
    clusters: { names: () => [], probe: async () => undefined },
    store: s.store,
    writeQueue: () => ({ queued: s.queued, full: s.queued >= 2 }),
    clock: new FakeClock('2026-03-01T10:00:00Z'),
    logger: silentLogger(),
    intervalMs: 15_000,
    timeoutMs: 1000,
  });

describe('the state store probe', () => {
  it('a change reported while a check runs is checked again after it: the result is never older than the change', async () => {
    const s = gatedStore();
    const prober = proberOn(s);
    const first = prober.checkStore();
    // The store reports its cluster gone while the first check (which will succeed) is under way.
    s.failing = true;
    s.queued = 3;
    const second = prober.checkStore();
    await Promise.resolve();
    expect(s.pings).toBe(1);
    s.failing = false;
    s.release();
    // The first check answered ok; the one asked for meanwhile follows it, and sees the failure.
    s.failing = true;
    await expect.poll(() => s.waiting.length).toBe(1);
    s.release();
    await Promise.all([first, second]);
    expect(s.pings).toBe(2);
    expect(prober.results.store).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED'), writes: { queued: 3, full: true } });
    await prober.stop();
  });

  it('checks asked for while one runs are one more check, not one each', async () => {
    const s = gatedStore();
    const prober = proberOn(s);
    const all = [prober.checkStore(), prober.checkStore(), prober.checkStore(), prober.checkStore()];
    s.release();
    await expect.poll(() => s.waiting.length).toBe(1);
    s.release();
    await Promise.all(all);
    expect(s.pings).toBe(2);
    expect(prober.results.store).toMatchObject({ ok: true, writes: { queued: 0, full: false } });
    await prober.stop();
  });
});
