import { describe, it, expect, afterEach } from 'vitest';
import { runtimeKit, type RuntimeKit } from '../kit/runtime.ts';

let kit: RuntimeKit;
afterEach(async () => kit?.close());

const sent = (k: RuntimeKit) => k.logs.lines.filter((l) => l.event === 'watch_log_action').map((l) => l.msg);

/** A watch whose condition reads `data.n` (from the run's input) against a threshold. */
function watch(extra: Record<string, unknown> = {}, action: Record<string, unknown> = {}) {
  return {
    trigger: { schedule: { interval: '1m' } },
    checks: [{ type: 'condition', name: 'over', lang: 'cel', source: 'data.n > 3' }],
    actions: [{ type: 'log', name: 'note', text: 'n={{data.n}}', ...action }],
    ...extra,
  };
}

const fireAt = (k: RuntimeKit) => ({ scheduledTime: k.clock.now(), triggeredTime: k.clock.now(), previousScheduledTime: null, nextScheduledTime: null });

describe('WatchRunner', () => {
  it('runs checks, renders and delivers an action, and records state and a Signals-shaped log', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch());
    const rec = await kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 } });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(rec.actions).toEqual([expect.objectContaining({ name: 'note', status: { code: 'ACTION_EXECUTED' } })]);
    expect(rec.actions[0]!.delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(rec).toMatchObject({ tenant: '_main', watch_id: 'w', node: 'test-node', watch_version: w.version });
    expect(sent(kit)).toEqual(['n=5']);
    const state = await kit.store.watchState.get('_main', 'w');
    expect(state?.actions.note).toMatchObject({ execution_count: 1, last_check_result: true, last_status: { code: 'ACTION_EXECUTED' } });
    expect((await kit.store.log.query({ watchId: 'w' }))[0]!.id).toBe(rec.id);
    // Marked delivered by the run's own final commit (with its state and log), not left pending.
    expect(await kit.store.outbox.get(rec.actions[0]!.delivery!.key)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('records in the outbox every attempt a delivery took, the last one included', async () => {
    const statuses = [503, 200, 400];
    kit = runtimeKit({ http: { request: async () => ({ status: statuses.shift()!, headers: {}, body: '', truncated: false }), close: async () => {} } });
    const hook = { type: 'webhook', name: 'hook', request: { method: 'POST', url: 'https://hooks.example.com/x', body: 'n={{data.n}}' } };
    const w = kit.compile({ ...watch(), actions: [hook] });
    const retried = kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 } });
    await kit.clock.advance(60_000);
    const first = await retried;
    expect(first.actions[0]!.delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(await kit.store.outbox.get(first.actions[0]!.delivery!.key)).toMatchObject({ status: 'delivered', attempts: 2 });
    // A refusal that no retry can fix: one attempt, recorded as such.
    await kit.clock.advance(60_000);
    const second = await kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 } });
    expect(await kit.store.outbox.get(second.actions[0]!.delivery!.key)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('stops at a false condition with NO_ACTION and sends nothing', async () => {
    kit = runtimeKit();
    const rec = await kit.runner.run(kit.compile(watch()), { fire: fireAt(kit), input: { n: 1 } });
    expect(rec.status.code).toBe('NO_ACTION');
    expect(sent(kit)).toEqual([]);
  });

  it('marks a failing check EXECUTION_FAILED with the check name and runs no action', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch({ checks: [{ type: 'transform', name: 'boom', lang: 'cel', source: 'data.missing.deeper', target: 'x' }] }));
    const rec = await kit.runner.run(w, { fire: fireAt(kit) });
    expect(rec.status.code).toBe('EXECUTION_FAILED');
    expect(rec.error?.check).toBe('boom');
    expect(rec.error?.message).toBeTruthy();
    expect(sent(kit)).toEqual([]);
  });

  it('throttles within an episode and fires again after the period', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch({ throttle_period: '5m' }));
    const run = () => kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 } });
    expect((await run()).status.code).toBe('ACTION_EXECUTED');
    await kit.clock.advance(60_000);
    expect((await run()).status.code).toBe('ACTION_THROTTLED');
    await kit.clock.advance(4 * 60_000);
    expect((await run()).status.code).toBe('ACTION_EXECUTED');
    expect(sent(kit)).toHaveLength(2);
  });

  it('grows an exponential throttle 1, 2, 4 minutes and resets it when the situation ends', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch({ throttle_period: '1m**2|1h' }));
    const fired: number[] = [];
    for (let minute = 0; minute < 12; minute++) {
      const rec = await kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 } });
      if (rec.status.code === 'ACTION_EXECUTED') fired.push(minute);
      await kit.clock.advance(60_000);
    }
    expect(fired).toEqual([0, 1, 3, 7]);
    await kit.runner.run(w, { fire: fireAt(kit), input: { n: 0 } }); // situation over: count cleared
    await kit.clock.advance(60_000);
    expect((await kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 } })).status.code).toBe('ACTION_EXECUTED');
  });

  it('maps severity, gates actions by level, and breaks through throttling on a rise', async () => {
    kit = runtimeKit();
    const w = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [],
      severity: { value: 'data.n', lang: 'cel', mapping: [{ threshold: 1, level: 'warning' }, { threshold: 10, level: 'critical' }] },
      throttle_period: '1h',
      actions: [
        { type: 'log', name: 'any', text: '{{severity.level.id}} {{severity.value}}' },
        { type: 'log', name: 'pager', text: 'PAGE {{severity.level.name}}', severity: ['critical'] },
      ],
    });
    const run = (n: number) => kit.runner.run(w, { fire: fireAt(kit), input: { n } });
    const r1 = await run(2);
    expect(r1.severity?.level.id).toBe('warning');
    expect(r1.actions.map((a) => a.status.code)).toEqual(['ACTION_EXECUTED', 'NO_ACTION']);
    await kit.clock.advance(60_000);
    const r2 = await run(12);
    // 'any' lists no levels, so the rise does not break through its throttle; 'pager' is new to its level.
    expect(r2.actions.map((a) => a.status.code)).toEqual(['ACTION_THROTTLED', 'ACTION_EXECUTED']);
    await kit.clock.advance(60_000);
    const r3 = await run(0);
    expect(r3.severity?.level.id).toBe('none');
    expect(r3.actions.map((a) => a.status.code)).toEqual(['NO_ACTION', 'NO_ACTION']);
    expect(sent(kit)).toEqual(['warning 2', 'PAGE Critical']);
  });

  it('acks only after a positive check, skips acked actions, and clears the ack when the condition turns false', async () => {
    kit = runtimeKit();
    // Stored through the watch service, which acks (its scheduler is not started: the test fires the runs).
    const svc = kit.watches;
    await svc.put('_main', 'w', watch());
    const w = svc.get('_main', 'w')!.watch!;
    const run = (n: number) => kit.runner.run(w, { fire: fireAt(kit), input: { n } });
    await expect(svc.ack('_main', 'w', undefined, 'kirk')).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await run(5);
    expect(await svc.ack('_main', 'w', 'note', 'kirk')).toEqual(['note']);
    await kit.clock.advance(60_000);
    const acked = await run(5);
    expect(acked.actions[0]).toMatchObject({ status: { code: 'ACKED' }, ack: { by: 'kirk' } });
    await run(1);
    expect((await kit.store.watchState.get('_main', 'w'))?.actions.note?.acked).toBeNull();
    expect((await run(5)).status.code).toBe('ACTION_EXECUTED');
    expect(sent(kit)).toHaveLength(2);
  });

  it('runs a resolve action once when the severity level goes away, with the resolved context', async () => {
    kit = runtimeKit();
    const w = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      severity: { value: 'data.n', lang: 'cel', mapping: [{ threshold: 1, level: 'error' }] },
      actions: [{ type: 'log', name: 'fire', text: 'up {{data.n}}' }],
      resolve_actions: [{ type: 'log', name: 'resolved', text: 'resolved {{resolved.severity.level.id}} was {{resolved.data.n}}, now {{data.n}}', resolves_severity: ['error'] }],
    });
    const run = (n: number) => kit.runner.run(w, { fire: fireAt(kit), input: { n } });
    await run(3);
    await kit.clock.advance(60_000);
    const rec = await run(0);
    expect(rec.resolve_actions[0]!.status.code).toBe('ACTION_EXECUTED');
    await kit.clock.advance(60_000);
    expect((await run(0)).resolve_actions[0]!.status.code).toBe('NO_ACTION');
    expect(sent(kit)).toEqual(['up 3', 'resolved error was 3, now 0']);
  });

  it('renders one notification per foreach item up to foreach_limit', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch({ checks: [] }, { foreach: 'data.items', foreach_lang: 'cel', foreach_limit: 2, text: 'item {{item.id}}' }));
    const rec = await kit.runner.run(w, { fire: fireAt(kit), input: { items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } });
    expect(sent(kit)).toEqual(['item a', 'item b']);
    expect(rec.actions[0]!.status.detail).toContain('limited to 2 of 3');
  });

  it('simulates: reports the rendered request, sends nothing, changes no state', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch());
    const rec = await kit.runner.run(w, { fire: null, simulate: true, input: { n: 9 } });
    expect(rec.status.code).toBe('SIMULATED_ACTION_EXECUTED');
    expect(rec.actions[0]!.request).toEqual([{ level: 'info', text: 'n=9' }]);
    expect(sent(kit)).toEqual([]);
    expect(await kit.store.watchState.get('_main', 'w')).toBeUndefined();
    expect(await kit.store.outbox.pending()).toEqual([]);
  });

  it('lists missing template variables in the watch log and renders them empty', async () => {
    kit = runtimeKit();
    const rec = await kit.runner.run(kit.compile(watch({}, { text: 'x={{data.nope.deeper}}.' })), { fire: fireAt(kit), input: { n: 5 } });
    expect(rec.missing_variables).toEqual(['data.nope.deeper']);
    expect(sent(kit)).toEqual(['x=.']);
  });

  it('never sends twice for the same scheduled time (a clock jumped back replays it)', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch());
    const fire = fireAt(kit);
    await kit.runner.run(w, { fire, input: { n: 5 } });
    const again = await kit.runner.run(w, { fire, input: { n: 5 } });
    expect(again.actions[0]!.status.detail).toContain('already sent');
    expect(sent(kit)).toHaveLength(1);
  });

  it('keeps runtime data in the log only with log_runtime_data', async () => {
    kit = runtimeKit();
    const without = await kit.runner.run(kit.compile(watch()), { fire: fireAt(kit), input: { n: 5 } });
    expect(without.data).toBeUndefined();
    await kit.clock.advance(60_000);
    const withData = await kit.runner.run(kit.compile(watch({ log_runtime_data: true })), { fire: fireAt(kit), input: { n: 5 } });
    expect(withData.data).toEqual({ n: 5 });
  });

  it('gives each action its own copy of data for its checks', async () => {
    kit = runtimeKit();
    const w = kit.compile(watch({}, {
      checks: [{ type: 'transform', name: 'local', lang: 'cel', source: 'data.n * 10', target: 'n' }],
      text: 'n={{data.n}}',
    }));
    const rec = await kit.runner.run(w, { fire: fireAt(kit), input: { n: 5 }, });
    expect(sent(kit)).toEqual(['n=50']);
    expect(rec.status.code).toBe('ACTION_EXECUTED');
  });
});

describe('simulate output', () => {
  it('masks inline credentials in the rendered request', async () => {
    kit = runtimeKit();
    const w = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      actions: [{ type: 'webhook', name: 'hook', request: { method: 'POST', url: 'https://hooks.example.com/x', body: 'hi', auth: { type: 'basic', username: 'u', password: 'hunter2-inline' } } }],
    });
    const rec = await kit.runner.run(w, { fire: null, simulate: true });
    expect(rec.status.code).toBe('SIMULATED_ACTION_EXECUTED');
    expect(JSON.stringify(rec)).not.toContain('hunter2-inline');
    expect(JSON.stringify(rec)).not.toContain(Buffer.from('u:hunter2-inline').toString('base64'));
  });
});

describe('Painless watches (lang omitted, as in Signals)', () => {
  it('runs conditions, calc, severity and foreach written in Painless', async () => {
    kit = runtimeKit();
    const w = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [
        { type: 'static', name: 'mem', target: 'mem', value: { buckets: [{ key: 'node-1', used: 91.5 }, { key: 'node-2', used: 40 }, { key: 'node-3', used: 97 }] } },
        { type: 'condition', name: 'any high', source: "data.mem.buckets.stream().anyMatch(b -> b.used > 90)" },
        { type: 'calc', name: 'high nodes', source: "data.high = data.mem.buckets.stream().filter(b -> b.used > 90).map(b -> b.key).collect(Collectors.toList()); data.count = data.high.size()" },
      ],
      severity: { value: 'data.count', mapping: [{ threshold: 1, level: 'warning' }, { threshold: 2, level: 'critical' }] },
      actions: [{ type: 'log', name: 'each', foreach: 'data.high', text: '{{item}} is at {{severity.level.id}}' }],
    });
    const rec = await kit.runner.run(w, { fire: fireAt(kit) });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    expect(sent(kit)).toEqual(['node-1 is at critical', 'node-3 is at critical']);
  });

  it('reports a Painless compile error with line and column at load', async () => {
    kit = runtimeKit();
    expect(() => kit.compile({ trigger: { schedule: { interval: '1m' } }, checks: [{ type: 'condition', name: 'c', source: 'data.x >\n  try { 1 }' }] })).toThrow(/checks\[0\]\.source.*line 2/);
  });
});

describe('manual runs (execute)', () => {
  it('answer after deliveryWaitMs with DELIVERY_PENDING while the delivery goes on; the outbox marks it delivered later', async () => {
    const answers: Array<() => void> = [];
    const http = {
      request: () => new Promise<{ status: number; headers: Record<string, string>; body: string; truncated: boolean }>((resolve) => answers.push(() => resolve({ status: 200, headers: {}, body: 'ok', truncated: false }))),
      close: async () => {},
    };
    kit = runtimeKit({ http });
    const w = kit.compile(watch({ actions: [{ type: 'webhook', name: 'note', request: { url: 'https://hooks.example.com/x', body: 'n={{data.n}}' } }] }));
    let rec: Awaited<ReturnType<typeof kit.runner.run>> | undefined;
    const run = kit.runner.run(w, { fire: null, input: { n: 5 }, recordState: false, recordLog: false, deliveryWaitMs: 5_000 }).then((r) => (rec = r));
    await kit.clock.advance(4_900);
    expect(rec).toBeUndefined();
    await kit.clock.advance(200);
    await run;
    expect(rec!.status.code).toBe('DELIVERY_PENDING');
    expect(rec!.actions[0]).toMatchObject({ status: { code: 'DELIVERY_PENDING', detail: expect.stringContaining('still being delivered after 5 s') }, delivery: { status: 'pending' } });
    expect(rec!.actions[0]!.request).toEqual([expect.objectContaining({ body: 'n=5' })]);
    const key = rec!.actions[0]!.delivery!.key;
    expect((await kit.store.outbox.get(key))?.status).toBe('pending');
    answers.splice(0).forEach((a) => a());
    await kit.deliverer.idle();
    expect((await kit.store.outbox.get(key))?.status).toBe('delivered');
  });

  it('DELIVERY_PENDING names the retry window and the deadline stored when it answers, not the one the entry was created with', async () => {
    const answers: Array<() => void> = [];
    const http = {
      request: () => new Promise<{ status: number; headers: Record<string, string>; body: string; truncated: boolean }>((resolve) => answers.push(() => resolve({ status: 200, headers: {}, body: 'ok', truncated: false }))),
      close: async () => {},
    };
    kit = runtimeKit({ http });
    const w = kit.compile(watch({ actions: [{ type: 'webhook', name: 'note', throttle_period: '1m', request: { url: 'https://hooks.example.com/x', body: 'n={{data.n}}' } }] }));
    let rec: Awaited<ReturnType<typeof kit.runner.run>> | undefined;
    const run = kit.runner.run(w, { fire: null, input: { n: 5 }, recordState: false, recordLog: false, deliveryWaitMs: 5_000 }).then((r) => (rec = r));
    await kit.clock.advance(4_000);
    // Its deadline moved on meanwhile (as a daemon taking it up late stores it).
    const [entry] = await kit.store.outbox.pending();
    expect(entry!.deadline).toBe(entry!.createdAt + 60_000);
    const moved = entry!.createdAt + 90_000;
    await kit.store.outbox.extendDeadlines([{ key: entry!.key, deadline: moved }]);
    await kit.clock.advance(1_100);
    await run;
    expect(rec!.actions[0]!.status.detail).toBe(`still being delivered after 5 s; retried within a 60 s window from when its daemon takes it up (its deadline now: ${new Date(moved).toISOString()})`);
    answers.splice(0).forEach((a) => a());
    await kit.deliverer.idle();
  });
});
