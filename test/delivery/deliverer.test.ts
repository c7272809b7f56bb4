import { describe, it, expect } from 'vitest';
import { getEventListeners } from 'node:events';
import { z } from 'zod';
import { FakeClock } from '../kit/fake-clock.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { createTestHostCheck } from '../kit/undici-http.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { ActionType, DeliveryResult } from '../../src/actions/types.ts';
import { createRegistry } from '../../src/registry/registry.ts';

/** An action type whose deliveries follow a script of results, recording each attempt. */
function scripted(results: DeliveryResult[], onAttempt?: (key: string, at: number) => void): ActionType & { attempts: Array<{ key: string; attempt: number; at: number }> } {
  const attempts: Array<{ key: string; attempt: number; at: number }> = [];
  return {
    type: 'scripted',
    params: z.object({}).strict(),
    compile: () => ({ render: () => ({ kind: 'fire', request: {}, summary: 's' }) }),
    conformance: { params: () => ({}), overHttp: false },
    attempts,
    async deliver(_n, deps) {
      attempts.push({ key: deps.idempotencyKey, attempt: deps.attempt, at: deps.clock.now() });
      onAttempt?.(deps.idempotencyKey, deps.clock.now());
      return results.shift() ?? { ok: true };
    },
  };
}

const tempDir = tempDirs('vigil-dl-');

function setup(type: ActionType, opts: { concurrency?: number; queueLimit?: number } = {}) {
  const dir = tempDir();
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  const store = new SqliteStateStore(dir);
  const logs = captureLogger();
  const metrics = createMetrics();
  /** A deliverer on the store: another one is the next process of the daemon. */
  const make = () => new Deliverer({
    store, registry: createRegistry({ actions: [type], checks: [] }), accounts: null, clock, logger: logs.logger, metrics, rng: () => 0.5, egress: createTestHostCheck(),
    http: { request: async () => { throw new Error('unused'); }, close: async () => {} },
    searchClient: () => { throw new Error('unused'); },
    perDestinationConcurrency: opts.concurrency ?? 4, queueLimit: opts.queueLimit ?? 100,
  });
  const deliverer = make();
  const entry = (key: string, deadlineMs = 60_000) => ({
    key, tenant: '_main', watchId: 'w', action: 'a', actionType: 'scripted', accountId: null, episodeKey: 'ep',
    notification: { kind: 'fire', request: {}, summary: 's' }, createdAt: clock.now(), deadline: clock.now() + deadlineMs, nextAttemptAt: clock.now(),
  });
  const enqueue = async (key: string, deadlineMs?: number) => {
    const e = entry(key, deadlineMs);
    await store.outbox.enqueue(e);
    return { ...e, status: 'pending' as const, attempts: 0, lastError: null, finishedAt: null };
  };
  return { dir, clock, store, logs, metrics, deliverer, enqueue, make };
}

const fail5xx: DeliveryResult = { ok: false, retry: true, code: 'HTTP_5XX', message: 'HTTP 503' };

describe('Deliverer', () => {
  it('retries 5xx with exponential backoff and the same key until success, then marks delivered', async () => {
    const type = scripted([fail5xx, fail5xx, fail5xx, fail5xx]);
    const s = setup(type);
    const done = s.deliverer.deliver(await s.enqueue('k1'));
    await s.clock.advance(10_000);
    expect(await done).toEqual({ status: 'delivered', attempts: 5, at: type.attempts[4]!.at });
    expect(new Set(type.attempts.map((a) => a.key))).toEqual(new Set(['k1']));
    const gaps = type.attempts.slice(1).map((a, i) => a.at - type.attempts[i]!.at);
    expect(gaps).toEqual([500, 750, 1125, 1688]); // 0.5 s ×1.5, jitter centred by rng 0.5
    expect((await s.store.outbox.get('k1'))?.status).toBe('delivered');
    // One log line for the repeated error, not one per attempt.
    expect(s.logs.lines.filter((l) => String(l.msg).includes('will retry'))).toHaveLength(1);
    // Each backoff sleep removed its abort listener when it ended: none pile up on the daemon-long signal.
    const signal = (s.deliverer as unknown as { abort: AbortController }).abort.signal;
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await s.store.close();
  });

  it('leaves the delivered mark to the caller with recordDelivered: false, and still records a failure', async () => {
    const type = scripted([fail5xx, { ok: true }, { ok: false, retry: false, code: 'HTTP_4XX', message: 'HTTP 400' }]);
    const s = setup(type);
    const done = s.deliverer.deliver(await s.enqueue('ok'), { recordDelivered: false });
    await s.clock.advance(1_000);
    expect(await done).toMatchObject({ status: 'delivered', attempts: 2, at: type.attempts[1]!.at });
    expect((await s.store.outbox.get('ok'))?.status).toBe('pending');
    expect((await s.deliverer.deliver(await s.enqueue('bad'), { recordDelivered: false })).status).toBe('failed');
    expect((await s.store.outbox.get('bad'))?.status).toBe('failed');
    await s.store.close();
  });

  it('keeps an operator retry asked for during an attempt: the next attempt follows at once, not after the backoff', async () => {
    let s: ReturnType<typeof setup>;
    const type = scripted([fail5xx], (key) => void s.deliverer.retryNow(key));
    s = setup(type);
    const done = s.deliverer.deliver(await s.enqueue('k-retry'));
    // The clock does not move: only the retry asked for during the first attempt makes the second.
    await expect.poll(() => type.attempts.length, { interval: 10, timeout: 3000 }).toBe(2);
    expect(await done).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(type.attempts[1]!.at).toBe(type.attempts[0]!.at);
    await s.store.close();
  });

  it('fails an entry whose type this node does not have, saying so, without an attempt', async () => {
    const type = scripted([]);
    const s = setup(type);
    const e = await s.enqueue('k-gone');
    expect(await s.deliverer.deliver({ ...e, actionType: 'gone' })).toMatchObject({ status: 'failed', attempts: 0, code: 'UNKNOWN_ACTION_TYPE' });
    expect(type.attempts).toHaveLength(0);
    expect((await s.store.outbox.get('k-gone'))?.lastError).toMatch(/^UNKNOWN_ACTION_TYPE: unknown action type "gone"/);
    await s.store.close();
  });

  it('does not retry a permanent failure', async () => {
    const type = scripted([{ ok: false, retry: false, code: 'HTTP_4XX', message: 'HTTP 400' }]);
    const s = setup(type);
    const out = await s.deliverer.deliver(await s.enqueue('k'));
    expect(out).toMatchObject({ status: 'failed', attempts: 1, code: 'HTTP_4XX' });
    expect((await s.store.outbox.get('k'))?.lastError).toContain('HTTP 400');
    await s.store.close();
  });

  it('honours Retry-After and gives up at the deadline', async () => {
    const type = scripted([{ ok: false, retry: true, retryAfterMs: 7_000, code: 'HTTP_429', message: 'HTTP 429' }, { ok: false, retry: true, retryAfterMs: 86_400_000, code: 'HTTP_429', message: 'HTTP 429' }]);
    const s = setup(type);
    const done = s.deliverer.deliver(await s.enqueue('k', 20_000));
    await s.clock.advance(30_000);
    const out = await done;
    expect(type.attempts[1]!.at - type.attempts[0]!.at).toBe(7_000);
    expect(out).toMatchObject({ status: 'failed', code: 'DEADLINE_EXCEEDED', attempts: 2 });
    await s.store.close();
  });

  it('resumes pending entries after a restart, even past their deadline, with the same key', async () => {
    const type = scripted([]);
    const s = setup(type);
    await s.enqueue('left-over', 1_000);
    await s.clock.advance(60_000); // the daemon was down past the deadline
    expect(await s.deliverer.resumePending()).toBe(1);
    await s.clock.advance(0);
    expect(type.attempts.map((a) => a.key)).toEqual(['left-over']);
    expect((await s.store.outbox.get('left-over'))?.status).toBe('delivered');
    await s.store.close();
  });

  it('resumes an entry left with a moment of its window with the whole window again: a slow first attempt is retried', async () => {
    const type = scripted([fail5xx]);
    const s = setup(type);
    await s.enqueue('late', 10_000);
    await s.clock.advance(9_800); // the daemon was down for most of the window
    expect(await s.deliverer.resumePending()).toBe(1);
    await s.clock.advance(0);
    await s.clock.advance(1_000);
    await s.deliverer.idle();
    expect(type.attempts.map((a) => a.key)).toEqual(['late', 'late']);
    expect(await s.store.outbox.get('late')).toMatchObject({ status: 'delivered', attempts: 2 });
    await s.store.close();
  });

  it('stores the deadline a resumed entry is given, as listed; resumed again later it gets its first window, not a longer one', async () => {
    const type = scripted([fail5xx, fail5xx]);
    const s = setup(type);
    const t0 = s.clock.now();
    await s.enqueue('late', 10_000);
    await s.clock.advance(9_800);
    expect(await s.deliverer.resumePending()).toBe(1);
    // What GET /_vigil/deliveries reads: the window runs from the resume.
    expect((await s.store.outbox.list({ status: 'pending' }))[0]).toMatchObject({ key: 'late', deadline: t0 + 19_800, windowMs: 10_000 });
    await s.clock.advance(0);
    expect(type.attempts).toHaveLength(1);
    // This process stops before its retry; the next one starts 9 s later.
    s.deliverer.abortAll();
    await s.deliverer.idle();
    await s.clock.advance(9_000);
    const next = s.make();
    expect(await next.resumePending()).toBe(1);
    expect(await s.store.outbox.get('late')).toMatchObject({ status: 'pending', deadline: t0 + 28_800, windowMs: 10_000 });
    next.abortAll();
    await next.idle();
    await s.store.close();
  });

  it('limits concurrency per destination; past it deliveries wait their turn: no attempt spent waiting, nothing failed', async () => {
    const g = gated();
    const s = setup(g.type, { concurrency: 2, queueLimit: 3 });
    const all = await Promise.all(['a', 'b', 'c', 'd'].map((k) => s.enqueue(k)));
    const outcomes = all.map((e) => s.deliverer.deliver(e));
    await s.clock.advance(0);
    expect(g.maxActive()).toBe(2);
    // Two attempts under way, two waiting: waiting is not an attempt.
    expect(await attemptsMetric(s)).toBe(2);
    // The backlog (4) is past its limit (3): delivery is saturated, and says so to the scheduler.
    expect(s.deliverer.pressure.open).toBe(false);
    g.releaseAll();
    await s.clock.advance(5_000);
    expect((await Promise.all(outcomes)).map((o) => [o.status, o.attempts])).toEqual([['delivered', 1], ['delivered', 1], ['delivered', 1], ['delivered', 1]]);
    expect(await attemptsMetric(s)).toBe(4);
    expect(s.deliverer.pressure.open).toBe(true);
    await s.store.close();
  });

  it('counts reservations (notifications being committed) in the backlog until they are handed over', async () => {
    const s = setup(scripted([]), { queueLimit: 4 });
    const release = s.deliverer.reserve(3);
    expect(s.deliverer.backlog).toBe(3);
    expect(s.deliverer.pressure.open).toBe(true);
    const more = s.deliverer.reserve(1);
    expect(s.deliverer.pressure.open).toBe(false);
    release();
    release(); // idempotent
    expect(s.deliverer.backlog).toBe(1);
    expect(s.deliverer.pressure.open).toBe(true); // 1 ≤ 3 (three quarters of 4)
    more();
    expect(s.deliverer.backlog).toBe(0);
    await s.store.close();
  });

  it('resumes a large pending backlog page by page as room frees, oldest first, and leaves later entries to their runs', async () => {
    const g = gated();
    const s = setup(g.type, { concurrency: 1, queueLimit: 3 });
    for (let i = 0; i < 7; i++) await s.enqueue(`old-${i}`);
    await s.clock.advance(1_000);
    expect(await s.deliverer.resumePending()).toBe(3);
    expect(s.deliverer.backlog).toBe(3);
    // Created after the start: a run of this process hands it over itself; resuming does not take it.
    await s.clock.advance(1_000);
    await s.enqueue('new');
    for (let i = 0; i < 40 && g.seen().length < 7; i++) {
      g.releaseOne();
      await s.clock.advance(10);
    }
    g.releaseAll();
    expect(g.seen()).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4', 'old-5', 'old-6']);
    await s.deliverer.idle();
    expect((await s.store.outbox.get('new'))?.status).toBe('pending');
    expect((await s.store.outbox.get('old-6'))?.status).toBe('delivered');
    await s.store.close();
  });

  it('the shutdown ends waiting deliveries at once, without an attempt; their entries stay pending', async () => {
    const g = gated();
    const s = setup(g.type, { concurrency: 1, queueLimit: 100 });
    const entries = await Promise.all(['a', 'b', 'c'].map((k) => s.enqueue(k)));
    const outcomes = entries.map((e) => s.deliverer.deliver(e));
    await s.clock.advance(0); // a is being sent; b and c wait for the slot
    s.deliverer.abortAll();
    expect((await Promise.all(outcomes.slice(1))).map((o) => [o.status, o.attempts])).toEqual([['pending', 0], ['pending', 0]]);
    expect(g.seen()).toEqual(['a']);
    g.releaseAll();
    await s.deliverer.idle();
    expect((await s.store.outbox.get('b'))?.status).toBe('pending');
    await s.store.close();
  });
});

/** An action type whose deliveries wait until released, recording the keys in the order they were sent. */
function gated() {
  let open: () => void = () => undefined;
  let gate = new Promise<void>((r) => (open = r));
  let active = 0;
  let max = 0;
  const seen: string[] = [];
  const type: ActionType = {
    type: 'scripted', params: z.object({}).strict(), compile: () => ({ render: () => ({ kind: 'fire', request: {}, summary: 's' }) }),
    conformance: { params: () => ({}), overHttp: false },
    async deliver(_n, deps) {
      seen.push(deps.idempotencyKey);
      max = Math.max(max, ++active);
      await gate;
      active--;
      return { ok: true };
    },
  };
  let always = false;
  return {
    type,
    maxActive: () => max,
    seen: () => seen,
    /** Lets the deliveries waiting now finish; later ones wait for the next release. */
    releaseOne() {
      open();
      if (!always) gate = new Promise<void>((r) => (open = r));
    },
    /** Lets every delivery through, now and later. */
    releaseAll() {
      always = true;
      open();
    },
  };
}

async function attemptsMetric(s: ReturnType<typeof setup>): Promise<number> {
  return (await s.metrics.deliveryAttempts.get()).values.reduce((a, v) => a + v.value, 0);
}
