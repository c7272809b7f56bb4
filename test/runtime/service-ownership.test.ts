/**
 * Several daemons sharing the watches, as one daemon's watch service sees it: it schedules only the
 * watches it owns, picks up gained ones from their stored state, drops lost ones, and a run whose
 * scheduled time another daemon ran already is dropped having written nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WatchService, type Ownership } from '../../src/runtime/service.ts';
import { FileWatchRepository } from '../../src/watches/file-repository.ts';
import { compileEnv, runtimeKit, type RuntimeKit } from '../kit/runtime.ts';
import { Scheduler } from '../../src/schedule/scheduler.ts';
import type { WatchState } from '../../src/state/records.ts';

let kit: RuntimeKit;
afterEach(async () => {
  await kit?.close();
});

const watchText = (text: string) => JSON.stringify({
  trigger: { schedule: { interval: '10s' } },
  checks: [{ type: 'static', name: 's', target: 'x', value: { a: 1 } }],
  actions: [{ type: 'log', name: 'say', text }],
});

/** An ownership the test moves by hand. */
function handOwnership(initial: string[]) {
  const mine = new Set(initial);
  const listeners: Array<() => void> = [];
  const own: Ownership = { owns: (k) => mine.has(k), onChange: (fn) => void listeners.push(fn) };
  return { own, set(keys: string[]) { mine.clear(); for (const k of keys) mine.add(k); for (const l of listeners) l(); } };
}

/** `aligned`: interval times aligned as with the cluster backend (every daemon computes the same ones). */
function setup(initial: string[], o: { aligned?: boolean } = {}) {
  kit = runtimeKit();
  const scheduler = o.aligned ? new Scheduler({ clock: kit.clock, logger: kit.logs.logger, alignIntervals: true }) : kit.scheduler;
  mkdirSync(kit.watchesDir);
  for (const id of ['a', 'b', 'c', 'd']) writeFileSync(join(kit.watchesDir, `${id}.json`), watchText(id));
  const hand = handOwnership(initial);
  const forgotten: string[] = [];
  kit.store.watchState.forget = (tenant, id) => void forgotten.push(`${tenant}/${id}`);
  const svc = new WatchService({
    repository: new FileWatchRepository({ root: kit.watchesDir, logger: kit.logs.logger }),
    env: compileEnv(), runner: kit.runner, scheduler, store: kit.store, logger: kit.logs.logger, metrics: kit.metrics, clock: kit.clock,
    ownership: hand.own, claimRuns: true,
  });
  scheduler.start();
  return { svc, hand, forgotten, scheduler };
}

const scheduled = () => ['a', 'b', 'c', 'd'].filter((id) => kit.scheduler.has(`_main/${id}`));

describe('watch ownership', () => {
  it('schedules only owned watches; a change schedules the gained ones from a fresh read of their state and drops the lost ones', async () => {
    const { svc, hand, forgotten } = setup(['_main/a', '_main/b']);
    await svc.loadAll();
    expect(scheduled()).toEqual(['a', 'b']);
    expect(svc.ownedCount()).toBe(2);
    expect(forgotten.sort()).toEqual(['_main/a', '_main/b']);
    forgotten.length = 0;
    hand.set(['_main/b', '_main/c', '_main/d']);
    await svc.rebalance();
    expect(scheduled()).toEqual(['b', 'c', 'd']);
    // Only what was gained is read afresh; b was this daemon's all along.
    expect(forgotten.sort()).toEqual(['_main/c', '_main/d']);
    expect(kit.logs.lines.find((l) => l.msg === 'watch ownership changed')).toMatchObject({ gained: 2, lost: 1, owned: 3 });
  });

  it('a fire of a watch no longer owned at its time runs nothing', async () => {
    const { svc, hand } = setup(['_main/a']);
    await svc.loadAll();
    // Ownership lost without the change being heard yet (a paused process): the fire is dropped.
    hand.own.owns = () => false;
    await kit.clock.advance(10_000);
    expect(await kit.store.log.query({})).toEqual([]);
    expect(kit.logs.lines.some((l) => l.msg === 'fire dropped: this daemon does not own the watch now')).toBe(true);
    void hand;
  });

  it('a run whose scheduled time was run already is dropped whole, logged at debug and counted', async () => {
    const { svc } = setup(['_main/a']);
    await svc.loadAll();
    await kit.clock.advance(10_000);
    const first = await kit.store.log.query({});
    expect(first).toHaveLength(1);
    const w = svc.get('_main', 'a')!.watch!;
    const scheduledTime = Date.parse(first[0]!.trigger!.scheduled_time!);
    // Another daemon with the same idea of who owns the watch fires the same time (here: the runner again).
    const fire = { scheduledTime, triggeredTime: scheduledTime, previousScheduledTime: null, nextScheduledTime: null };
    await expect(kit.runner.run(w, { fire, claim: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    // A watch without notifications claims in its only commit.
    const quiet = kit.compile({ trigger: { schedule: { interval: '10s' } }, checks: [{ type: 'condition', name: 'no', source: 'false' }], actions: [{ type: 'log', name: 'say', text: 'x' }] }, 'q');
    await kit.runner.run(quiet, { fire, claim: true });
    await expect(kit.runner.run(quiet, { fire, claim: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await kit.store.log.query({})).length).toBe(2);
    expect((await kit.store.outbox.pending()).length + (await kit.store.log.query({ watchId: 'a' })).length).toBe(1);
    expect(kit.logs.lines.filter((l) => l.event === 'watch_log_action')).toHaveLength(1);

    // Through the schedule: another daemon recorded the next time of a first.
    const next = kit.scheduler.nextFire('_main/a')!;
    const theirs = (await kit.store.watchState.get('_main', 'a'))!;
    theirs.node = 'other';
    theirs.last_execution = { ...theirs.last_execution!, trigger: { scheduled_time: new Date(next).toISOString(), triggered_time: null } };
    await kit.store.watchState.put('_main', 'a', theirs);
    await kit.clock.advance(next - kit.clock.now());
    expect((await kit.store.log.query({ watchId: 'a' })).length).toBe(1);
    expect(kit.logs.lines.find((l) => l.msg === 'run dropped: its scheduled time was claimed by another run')).toMatchObject({ level: 20, watch: 'a' });
    expect((await kit.metrics.registry.getSingleMetric('vigil_run_claims_lost_total')!.get()).values[0]!.value).toBe(1);
    expect(kit.logs.lines.some((l) => l.msg === 'watch run crashed')).toBe(false);
  });

  it('a run whose state copy was stale while its scheduled time is still unclaimed runs once more, from the stored state', async () => {
    const { svc } = setup(['_main/a']);
    await svc.loadAll();
    // The previous owner's run of an earlier time wrote meanwhile: this run's state write conflicts once.
    const commit = kit.store.commit.bind(kit.store);
    let conflicts = 0;
    kit.store.commit = async (c) => {
      if (c.claim !== undefined && conflicts++ === 0) throw new VigilError('CONFLICT', 'the state of watch [_main/a] was changed by another writer (last written by other); this write is dropped');
      return commit(c);
    };
    await kit.clock.advance(10_000);
    await vi.waitFor(async () => expect(await kit.store.log.query({ watchId: 'a' })).toHaveLength(1));
    expect(conflicts).toBe(2);
    expect(kit.logs.lines.some((l) => l.msg === 'run repeated: its state changed under it, its scheduled time is still unclaimed')).toBe(true);
    expect(kit.logs.lines.some((l) => l.msg === 'run dropped: its scheduled time was claimed by another run')).toBe(false);
    // The next time runs as usual, once.
    await kit.clock.advance(10_000);
    expect(await kit.store.log.query({ watchId: 'a' })).toHaveLength(2);
    void svc;
  });

  it('a watch another daemon deactivated is not run here, and is unscheduled', async () => {
    const { svc } = setup(['_main/a']);
    await svc.loadAll();
    await kit.clock.advance(10_000);
    expect((await kit.store.log.query({ watchId: 'a' })).length).toBe(1);
    // Another daemon's API wrote the override into the shared state.
    const s = (await kit.store.watchState.get('_main', 'a'))!;
    await kit.store.watchState.put('_main', 'a', { ...s, active_override: false });
    await kit.clock.advance(10_000);
    expect((await kit.store.log.query({ watchId: 'a' })).length).toBe(1);
    expect(kit.scheduler.has('_main/a')).toBe(false);
  });

  it('a watch another daemon runs is still shown active in effect here (the API reads it from any daemon)', async () => {
    const { svc, hand } = setup(['_main/a']);
    await svc.loadAll();
    expect(svc.get('_main', 'b')!.active).toBe(true);
    // Deactivated through the API while another daemon owns it: shown so here too.
    await svc.setActive('_main', 'c', false);
    expect(svc.get('_main', 'c')!.active).toBe(false);
    // Lost to another daemon: still active in effect, only not scheduled here.
    hand.set([]);
    await svc.rebalance();
    expect(scheduled()).toEqual([]);
    expect(svc.get('_main', 'a')!.active).toBe(true);
  });

  it('a change reads every override in one query and the gained watches\' states only, not a state per moved watch', async () => {
    const { svc, hand } = setup(['_main/a', '_main/b', '_main/c']);
    await svc.loadAll();
    const gets: string[] = [];
    let overrideReads = 0;
    const get = kit.store.watchState.get.bind(kit.store.watchState);
    kit.store.watchState.get = (tenant, id) => (gets.push(`${tenant}/${id}`), get(tenant, id));
    const overrides = kit.store.watchState.activeOverrides.bind(kit.store.watchState);
    kit.store.watchState.activeOverrides = () => (overrideReads++, overrides());
    hand.set(['_main/d']);
    await svc.rebalance();
    expect(scheduled()).toEqual(['d']);
    expect(overrideReads).toBe(1);
    expect(gets).toEqual(['_main/d']);
  });

  it('a gained watch runs at once the scheduled time its previous owner missed, then keeps to its grid', async () => {
    // Aligned intervals: the whole ten seconds here.
    const { svc, hand, scheduler } = setup([], { aligned: true });
    await svc.loadAll();
    const theirs: WatchState = { actions: {}, last_execution: { severity: null, trigger: { scheduled_time: '2026-03-01T10:00:00.000Z', triggered_time: '2026-03-01T10:00:00.000Z' }, execution_time: '2026-03-01T10:00:00.000Z' }, last_status: null, node: 'other' };
    await kit.store.watchState.put('_main', 'c', theirs);
    // The previous owner died after its run of 10:00:00; 10:00:10, :20 and :30 ran nowhere.
    await kit.clock.advance(34_000);
    hand.set(['_main/c']);
    await svc.rebalance();
    await kit.clock.advance(1);
    await vi.waitFor(async () => expect(await kit.store.log.query({ watchId: 'c' })).toHaveLength(1));
    const times = async () => (await kit.store.log.query({ watchId: 'c' })).map((r) => r.trigger!.scheduled_time).sort();
    expect(await times()).toEqual(['2026-03-01T10:00:30.000Z']);
    await kit.clock.advance(6_000);
    await vi.waitFor(async () => expect(await times()).toEqual(['2026-03-01T10:00:30.000Z', '2026-03-01T10:00:40.000Z']));
    await scheduler.stop();
  });

  it('lost watches are unscheduled at once, without waiting for the reads the gained ones need', async () => {
    const { svc, hand } = setup(['_main/a', '_main/b']);
    await svc.loadAll();
    // The cluster is slow: the override query does not answer (yet).
    let answer: (v: Array<{ tenant: string; watchId: string; active: boolean }>) => void = () => undefined;
    kit.store.watchState.activeOverrides = () => new Promise((r) => (answer = r));
    hand.set(['_main/b', '_main/c']);
    await vi.waitFor(() => expect(scheduled()).toEqual(['b']));
    answer([]);
    await svc.rebalance();
    expect(scheduled()).toEqual(['b', 'c']);
    expect(svc.ownedCount()).toBe(2);
  });
});
