/**
 * What every StateStore must do, whatever keeps the data: run it against an implementation with
 * `stateStoreSuite(name, open)`. `open` gives a fresh, empty store, a way to open it again on the same
 * data (as a restarted daemon does) and a way to close what is open.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxEntry, StateStore } from '../../src/state/types.ts';
import { emptyWatchState, type WatchLogRecord } from '../../src/state/records.ts';

export interface OpenedStore {
  store: StateStore;
  /** Closes the store and opens another on the same data. */
  reopen(): Promise<StateStore>;
  /** Closes whatever is open. */
  close(): Promise<void>;
}

export type OpenStateStore = () => Promise<OpenedStore>;

const T0 = Date.UTC(2026, 0, 5, 12);
const iso = (ms: number) => new Date(ms).toISOString();

export function entry(key: string, createdAt: number, extra: Partial<OutboxEntry> = {}): Omit<OutboxEntry, 'status' | 'attempts' | 'lastError' | 'finishedAt'> {
  return {
    key,
    tenant: '_main',
    watchId: 'w',
    action: 'a',
    actionType: 'webhook',
    accountId: null,
    episodeKey: 'ep',
    notification: { kind: 'fire', request: { body: 'x' }, summary: 's' },
    createdAt,
    deadline: createdAt + 10_000,
    nextAttemptAt: createdAt,
    ...extra,
  };
}

export function logRecord(id: string, o: Partial<WatchLogRecord> = {}, endMs = T0): WatchLogRecord {
  return {
    id, tenant: '_main', watch_id: 'w', watch_version: 'v', status: { code: 'NO_ACTION' },
    execution_start: iso(endMs - 5), execution_end: iso(endMs), actions: [], resolve_actions: [], node: 'n', ...o,
  };
}

export function stateStoreSuite(name: string, open: OpenStateStore): void {
  describe(`StateStore conformance: ${name}`, () => {
    const withStore = (fn: (s: StateStore, o: OpenedStore) => Promise<void>) => async () => {
      const o = await open();
      try {
        await fn(o.store, o);
      } finally {
        await o.close();
      }
    };

    it('keeps watch state, the log, outbox entries and kv documents across a reopen', withStore(async (store, o) => {
      const state = emptyWatchState('node-1');
      state.last_status = { code: 'ACTION_EXECUTED' };
      await store.watchState.put('_main', 'w1', state);
      await store.log.append(logRecord('r1', { watch_id: 'w1' }));
      await store.outbox.enqueue(entry('k1', T0));
      await store.kv.put('rotation', { done: 3 });
      const again = await o.reopen();
      expect((await again.watchState.get('_main', 'w1'))?.last_status?.code).toBe('ACTION_EXECUTED');
      expect(await again.watchState.get('_main', 'nope')).toBeUndefined();
      expect((await again.log.query({ watchId: 'w1' })).map((r) => r.id)).toEqual(['r1']);
      expect((await again.outbox.pending()).map((e) => e.key)).toEqual(['k1']);
      expect(await again.kv.get('rotation')).toEqual({ done: 3 });
    }));

    it('hands out a fresh state object on every read; deletes', withStore(async (store) => {
      const state = emptyWatchState('n');
      state.last_status = { code: 'ACTION_EXECUTED' };
      await store.watchState.put('_main', 'w', state);
      const first = (await store.watchState.get('_main', 'w'))!;
      expect(first).toEqual(state);
      first.last_status = null;
      expect((await store.watchState.get('_main', 'w'))!.last_status).toEqual({ code: 'ACTION_EXECUTED' });
      await store.watchState.put('_main', 'w', { ...state, node: 'again' });
      expect((await store.watchState.get('_main', 'w'))!.node).toBe('again');
      await store.watchState.delete('_main', 'w');
      expect(await store.watchState.get('_main', 'w')).toBeUndefined();
      await store.watchState.delete('_main', 'w');
    }));

    it('lists every watch with an active_override in one read, and only those', withStore(async (store) => {
      await store.watchState.put('_main', 'off', { ...emptyWatchState('n'), active_override: false });
      await store.watchState.put('team', 'on', { ...emptyWatchState('n'), active_override: true });
      await store.watchState.put('_main', 'cleared', { ...emptyWatchState('n'), active_override: null });
      await store.watchState.put('_main', 'plain', emptyWatchState('n'));
      await store.watchState.put('_main', 'was-off', { ...emptyWatchState('n'), active_override: false });
      await store.watchState.put('_main', 'was-off', { ...emptyWatchState('n'), active_override: null });
      const overrides = await store.watchState.activeOverrides();
      expect(overrides.sort((a, b) => a.watchId.localeCompare(b.watchId))).toEqual([
        { tenant: '_main', watchId: 'off', active: false },
        { tenant: 'team', watchId: 'on', active: true },
      ]);
    }));

    it('queries the log newest first, by tenant, watch and time, paged', withStore(async (store) => {
      for (let i = 0; i < 6; i++) {
        await store.log.append(logRecord(`r${i}`, { tenant: i % 3 === 0 ? 'team' : '_main', watch_id: i % 2 ? 'odd' : 'even' }, T0 + i * 1000));
      }
      expect((await store.log.query({})).map((r) => r.id)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
      expect((await store.log.query({ tenant: '_main', watchId: 'even' })).map((r) => r.id)).toEqual(['r4', 'r2']);
      expect((await store.log.query({ watchId: 'odd', size: 2 })).map((r) => r.id)).toEqual(['r5', 'r3']);
      expect((await store.log.query({ from: 1, size: 2 })).map((r) => r.id)).toEqual(['r4', 'r3']);
      expect((await store.log.query({ since: iso(T0 + 4000) })).map((r) => r.id)).toEqual(['r5', 'r4']);
      expect((await store.log.query({ watchId: 'r0' }))).toEqual([]);
      const full = logRecord('full', { data: { n: 1, deep: [{ x: 'y' }] }, actions: [{ name: 'a', status: { code: 'ACTION_EXECUTED' } }], trigger: { scheduled_time: iso(T0), triggered_time: iso(T0) } }, T0 + 9000);
      await store.log.append(full);
      expect((await store.log.query({ size: 1 }))[0]).toEqual(full);
    }));

    it('filters the log by run status, end time before, and action name (resolve actions included)', withStore(async (store) => {
      const a = (name: string, code = 'ACTION_EXECUTED') => ({ name, status: { code } as never });
      await store.log.append(logRecord('ok', { status: { code: 'ACTION_EXECUTED' }, actions: [a('page'), a('mail', 'ACTION_THROTTLED')] }, T0));
      await store.log.append(logRecord('bad', { status: { code: 'EXECUTION_FAILED' } }, T0 + 1000));
      await store.log.append(logRecord('resolved', { status: { code: 'NO_ACTION' }, actions: [a('mail', 'NO_ACTION')], resolve_actions: [a('all clear')] }, T0 + 2000));
      await store.log.append(logRecord('other', { watch_id: 'x', status: { code: 'EXECUTION_FAILED' }, actions: [a('page')] }, T0 + 3000));
      const ids = async (q: Parameters<StateStore['log']['query']>[0]) => (await store.log.query(q)).map((r) => r.id);
      expect(await ids({ watchId: 'w', status: ['EXECUTION_FAILED'] })).toEqual(['bad']);
      expect(await ids({ status: ['EXECUTION_FAILED', 'ACTION_EXECUTED'] })).toEqual(['other', 'bad', 'ok']);
      expect(await ids({ until: iso(T0 + 2000) })).toEqual(['bad', 'ok']);
      expect(await ids({ since: iso(T0 + 1000), until: iso(T0 + 3000) })).toEqual(['resolved', 'bad']);
      expect(await ids({ action: 'page' })).toEqual(['other', 'ok']);
      expect(await ids({ watchId: 'w', action: 'mail' })).toEqual(['resolved', 'ok']);
      expect(await ids({ action: 'all clear' })).toEqual(['resolved']);
      expect(await ids({ action: 'nope' })).toEqual([]);
      expect(await ids({ action: 'page', status: ['ACTION_EXECUTED'], size: 1 })).toEqual(['ok']);
    }));

    it('never prunes any of the newest records it is told to keep', withStore(async (store) => {
      // Recent records: a store may also keep the log by age.
      const now = Date.now();
      for (let i = 0; i < 5; i++) await store.log.append(logRecord(`r${i}`, {}, now + i));
      await store.log.prune(3);
      const left = (await store.log.query({})).map((r) => r.id);
      expect(left.slice(0, 3)).toEqual(['r4', 'r3', 'r2']);
    }));

    it('enqueues an outbox entry once per key and tracks its attempts and end', withStore(async (store) => {
      expect(await store.outbox.enqueue(entry('k1', 1))).toBe(true);
      expect(await store.outbox.enqueue(entry('k1', 2))).toBe(false);
      await store.outbox.enqueue(entry('k2', 3));
      await store.outbox.recordAttempt('k1', 'HTTP 503', 500);
      await store.outbox.recordAttempt('k1', 'HTTP 502', 900);
      expect((await store.outbox.pending()).map((e) => e.key)).toEqual(['k1', 'k2']);
      expect(await store.outbox.get('k1')).toMatchObject({ status: 'pending', attempts: 2, lastError: 'HTTP 502', nextAttemptAt: 900, createdAt: 1 });
      // The third attempt succeeded: no recordAttempt counted it, the mark does.
      await store.outbox.markDelivered('k1', 10, 3);
      await store.outbox.markFailed('k2', 'HTTP 400', 11, 1);
      expect(await store.outbox.pending()).toEqual([]);
      expect(await store.outbox.get('k1')).toEqual({ ...entry('k1', 1), windowMs: 10_000, nextAttemptAt: 900, status: 'delivered', attempts: 3, lastError: null, finishedAt: 10 });
      expect(await store.outbox.get('k2')).toMatchObject({ status: 'failed', lastError: 'HTTP 400', finishedAt: 11, attempts: 1 });
      expect(await store.outbox.get('nope')).toBeUndefined();
    }));

    it('lists entries by status, tenant and watch: pending oldest first, finished newest first, paged', withStore(async (store) => {
      await store.outbox.enqueue(entry('p2', 20));
      await store.outbox.enqueue(entry('p1', 10, { tenant: 'team', watchId: 'x' }));
      await store.outbox.enqueue(entry('p3', 30, { watchId: 'x' }));
      for (const [k, at] of [['f1', 100], ['f2', 300], ['f3', 200]] as const) {
        await store.outbox.enqueue(entry(k, 1, { watchId: k === 'f3' ? 'x' : 'w' }));
        await store.outbox.markFailed(k, `HTTP 400 (${k})`, at, 1);
      }
      await store.outbox.enqueue(entry('d', 1));
      await store.outbox.markDelivered('d', 50, 1);
      const keys = async (q: Parameters<StateStore['outbox']['list']>[0]) => (await store.outbox.list(q)).map((e) => e.key);
      expect(await keys({ status: 'pending' })).toEqual(['p1', 'p2', 'p3']);
      expect(await keys({ status: 'pending', tenant: '_main' })).toEqual(['p2', 'p3']);
      expect(await keys({ status: 'pending', tenant: '_main', watchId: 'x' })).toEqual(['p3']);
      expect(await keys({ status: 'failed' })).toEqual(['f2', 'f3', 'f1']);
      expect(await keys({ status: 'failed', from: 1, size: 1 })).toEqual(['f3']);
      expect(await keys({ status: 'delivered' })).toEqual(['d']);
      expect((await store.outbox.list({ status: 'failed', watchId: 'x' }))[0]).toMatchObject({ key: 'f3', lastError: 'HTTP 400 (f3)', attempts: 1, finishedAt: 200 });
    }));

    it('requeues a failed entry, cancels a pending or failed one, and leaves other states alone', withStore(async (store) => {
      for (const k of ['failed', 'pending', 'done']) await store.outbox.enqueue(entry(k, 1));
      await store.outbox.recordAttempt('failed', 'HTTP 503', 5);
      await store.outbox.markFailed('failed', 'DEADLINE_EXCEEDED: gave up', 10, 2);
      await store.outbox.markDelivered('done', 10, 1);
      expect(await store.outbox.requeue('pending', { deadline: 99, nextAttemptAt: 50 })).toBeUndefined();
      expect(await store.outbox.requeue('done', { deadline: 99, nextAttemptAt: 50 })).toBeUndefined();
      expect(await store.outbox.requeue('nope', { deadline: 99, nextAttemptAt: 50 })).toBeUndefined();
      const again = await store.outbox.requeue('failed', { deadline: 999, nextAttemptAt: 50 });
      expect(again).toMatchObject({ key: 'failed', status: 'pending', attempts: 2, deadline: 999, nextAttemptAt: 50, finishedAt: null, lastError: 'DEADLINE_EXCEEDED: gave up' });
      expect(await store.outbox.get('failed')).toEqual(again);
      expect((await store.outbox.pending()).map((e) => e.key)).toEqual(['failed', 'pending']);

      expect(await store.outbox.cancel('done', 'discarded', 20)).toBeUndefined();
      expect(await store.outbox.cancel('pending', 'discarded by kirk', 20)).toMatchObject({ key: 'pending', status: 'pending' });
      expect(await store.outbox.get('pending')).toMatchObject({ status: 'cancelled', lastError: 'discarded by kirk', finishedAt: 20 });
      expect(await store.outbox.cancel('pending', 'twice', 21)).toBeUndefined();
      // An attempt under way when it was discarded fails: recorded on pending entries only, the reason stays.
      await store.outbox.recordAttempt('pending', 'HTTP 503', 22);
      expect(await store.outbox.get('pending')).toMatchObject({ status: 'cancelled', lastError: 'discarded by kirk', attempts: 0 });
      await store.outbox.markFailed('failed', 'HTTP 400', 30, 3);
      expect(await store.outbox.cancel('failed', 'discarded', 31)).toMatchObject({ status: 'failed', attempts: 3 });
      expect(await store.outbox.pending()).toEqual([]);
      expect((await store.outbox.list({ status: 'cancelled' })).map((e) => e.key)).toEqual(['failed', 'pending']);
      // Its key is kept: the same notification cannot be enqueued again.
      expect(await store.outbox.enqueue(entry('pending', 40))).toBe(false);
    }));

    it('moves pending deadlines on, never back, keeping the window as decided through moves, a requeue and a reopen', withStore(async (store, o) => {
      for (const k of ['p', 'q', 'done']) await store.outbox.enqueue(entry(k, 1_000));
      await store.outbox.markDelivered('done', 2_000, 1);
      await store.outbox.extendDeadlines([{ key: 'p', deadline: 50_000 }, { key: 'done', deadline: 50_000 }, { key: 'nope', deadline: 50_000 }]);
      expect(await store.outbox.get('p')).toMatchObject({ deadline: 50_000, windowMs: 10_000, createdAt: 1_000 });
      expect(await store.outbox.get('q')).toMatchObject({ deadline: 11_000, windowMs: 10_000 });
      expect(await store.outbox.get('done')).toMatchObject({ status: 'delivered', deadline: 11_000 });
      await store.outbox.extendDeadlines([{ key: 'p', deadline: 40_000 }]);
      expect(await store.outbox.get('p')).toMatchObject({ deadline: 50_000, windowMs: 10_000 });
      await store.outbox.extendDeadlines([{ key: 'p', deadline: 70_000 }]);
      expect((await store.outbox.list({ status: 'pending' }))[0]).toMatchObject({ key: 'p', deadline: 70_000, windowMs: 10_000 });
      // An operator's retry of it once failed moves the deadline again; the window stays the first one.
      await store.outbox.markFailed('p', 'DEADLINE_EXCEEDED: gave up', 70_000, 4);
      expect(await store.outbox.requeue('p', { deadline: 200_000, nextAttemptAt: 190_000 })).toMatchObject({ deadline: 200_000, windowMs: 10_000 });
      // The first move of a requeued entry keeps its window too.
      await store.outbox.markFailed('q', 'HTTP 400', 12_000, 1);
      expect(await store.outbox.requeue('q', { deadline: 300_000, nextAttemptAt: 290_000 })).toMatchObject({ deadline: 300_000, windowMs: 10_000 });
      const again = await o.reopen();
      expect(await again.outbox.get('p')).toMatchObject({ status: 'pending', deadline: 200_000, windowMs: 10_000 });
      expect(await again.outbox.get('q')).toMatchObject({ status: 'pending', deadline: 300_000, windowMs: 10_000 });
    }));

    it('says how many entries are pending and since when', withStore(async (store) => {
      expect(await store.outbox.stats()).toEqual({ pending: 0, oldestPendingAt: null });
      await store.outbox.enqueue(entry('b', 200));
      await store.outbox.enqueue(entry('a', 100));
      await store.outbox.enqueue(entry('done', 50));
      await store.outbox.markDelivered('done', 60, 1);
      // Near real time is allowed: a store may take a moment to count what it just wrote.
      await expect.poll(() => store.outbox.stats(), { interval: 20, timeout: 3000 }).toEqual({ pending: 2, oldestPendingAt: 100 });
    }));

    it('pages pending entries oldest first from a cursor', withStore(async (store) => {
      for (const [k, t] of [['c', 2], ['a', 1], ['b', 2], ['d', 3]] as const) await store.outbox.enqueue(entry(k, t));
      expect((await store.outbox.pending(2)).map((e) => e.key)).toEqual(['a', 'b']);
      expect((await store.outbox.pending(2, { createdAt: 2, key: 'b' })).map((e) => e.key)).toEqual(['c', 'd']);
      expect((await store.outbox.pending(10, { createdAt: -1, key: '' })).map((e) => e.key)).toEqual(['a', 'b', 'c', 'd']);
    }));

    it('prunes finished entries older than the cut-off, never pending ones', withStore(async (store) => {
      for (const k of ['old-done', 'old-failed', 'new-done', 'pending']) await store.outbox.enqueue(entry(k, 1));
      await store.outbox.markDelivered('old-done', 100, 1);
      await store.outbox.markFailed('old-failed', 'x', 100, 1);
      await store.outbox.markDelivered('new-done', 300, 1);
      expect(await store.outbox.prune(200)).toBe(2);
      expect(await store.outbox.get('old-done')).toBeUndefined();
      expect(await store.outbox.get('new-done')).toBeDefined();
      expect(await store.outbox.get('pending')).toBeDefined();
    }));

    it('commit writes state, outbox entries and the log record together, skipping known keys', withStore(async (store) => {
      await store.outbox.enqueue(entry('old', 1));
      const state = emptyWatchState('n');
      const res = await store.commit({ state: { tenant: '_main', watchId: 'w', value: state }, enqueue: [entry('old', 2), entry('new', 3)], log: logRecord('r', { status: { code: 'ACTION_EXECUTED' } }) });
      expect(res.enqueued).toEqual(['new']);
      expect(await store.watchState.get('_main', 'w')).toEqual(state);
      expect((await store.log.query({})).map((r) => r.id)).toEqual(['r']);
      expect((await store.outbox.get('old'))?.createdAt).toBe(1);
      // The run's final commit: its state, the deliveries it made and its log record.
      state.last_status = { code: 'ACTION_EXECUTED' };
      const done = await store.commit({ state: { tenant: '_main', watchId: 'w', value: state }, delivered: [{ key: 'new', at: 50, attempts: 2 }], log: logRecord('r2') });
      expect(done.enqueued).toEqual([]);
      expect(await store.outbox.get('new')).toMatchObject({ status: 'delivered', finishedAt: 50, attempts: 2 });
      expect((await store.watchState.get('_main', 'w'))!.last_status).toEqual({ code: 'ACTION_EXECUTED' });
      // Entries without a state (a manual execution) and a log record alone.
      expect((await store.commit({ enqueue: [entry('manual', 4), entry('new', 5)] })).enqueued).toEqual(['manual']);
      await store.commit({ log: logRecord('r3', {}, T0 + 1) });
      expect((await store.log.query({})).map((r) => r.id)).toEqual(['r3', 'r2', 'r']);
    }));

    it('a run claim commits a scheduled time once: a second claim of it, or of an earlier one, writes nothing', withStore(async (store, o) => {
      const ran = (node: string, scheduledMs: number) => {
        const s = emptyWatchState(node);
        s.last_execution = { severity: null, trigger: { scheduled_time: iso(scheduledMs), triggered_time: iso(scheduledMs) }, execution_time: iso(scheduledMs) };
        return { tenant: '_main', watchId: 'w', value: s };
      };
      // No state yet: any time may be claimed.
      expect((await store.commit({ state: ran('a', T0), claim: T0, enqueue: [entry('a-1', 1)], log: logRecord('ra') })).enqueued).toEqual(['a-1']);
      // The same scheduled time again (a second daemon that believed it owned the watch): refused whole.
      for (const t of [T0, T0 - 1000]) {
        const lost = await store.commit({ state: ran('b', t), claim: t, enqueue: [entry(`b-${t}`, 2)], log: logRecord(`rb-${t}`, {}, T0 + 5) }).catch((e: unknown) => e);
        expect(lost).toMatchObject({ code: 'CONFLICT' });
        expect(await store.outbox.get(`b-${t}`)).toBeUndefined();
      }
      expect((await store.watchState.get('_main', 'w'))!.node).toBe('a');
      expect((await store.log.query({})).map((r) => r.id)).toEqual(['ra']);
      // After a restart (a fresh read) the claim still holds; the next time is claimed normally.
      const again = await o.reopen();
      await expect(again.commit({ state: ran('b', T0), claim: T0, log: logRecord('rb2') })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await again.commit({ state: ran('b', T0 + 1000), claim: T0 + 1000, enqueue: [entry('b-next', 3)] })).enqueued).toEqual(['b-next']);
      expect((await again.watchState.get('_main', 'w'))!.node).toBe('b');
      // Writes without a claim (acks, the API) are not held to it.
      await again.watchState.put('_main', 'w', ran('api', T0).value);
      expect((await again.watchState.get('_main', 'w'))!.node).toBe('api');
    }));

    it('commit changes nothing when one part is malformed', withStore(async (store) => {
      const bad = { ...entry('k', 1), notification: undefined as unknown };
      await expect(store.commit({ state: { tenant: 't', watchId: 'w', value: emptyWatchState('n') }, enqueue: [bad] })).rejects.toThrow();
      expect(await store.watchState.get('t', 'w')).toBeUndefined();
      expect(await store.outbox.get('k')).toBeUndefined();
    }));

    it('kv: put, replace, get a fresh value, delete', withStore(async (store) => {
      expect(await store.kv.get('x')).toBeUndefined();
      await store.kv.put('x', { a: [1, 2] });
      await store.kv.put('x', { a: [3] });
      await store.kv.put('n', 42);
      expect(await store.kv.get('x')).toEqual({ a: [3] });
      expect(await store.kv.get('n')).toBe(42);
      await store.kv.delete('x');
      expect(await store.kv.get('x')).toBeUndefined();
    }));

    it('ping() resolves while the store can be used and rejects once it is closed', withStore(async (store) => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow(/closed/);
    }));

    it('durable() resolves once every write made so far is kept', withStore(async (store, o) => {
      void store.watchState.put('_main', 'd', emptyWatchState('durable'));
      void store.outbox.enqueue(entry('d', 1));
      await store.durable();
      const again = await o.reopen();
      expect((await again.watchState.get('_main', 'd'))?.node).toBe('durable');
      expect(await again.outbox.get('d')).toBeDefined();
    }));
  });
}
