/**
 * Several daemons: a scheduled run commits its decision and its notifications and returns; the
 * deliverer sends them and records the outcome on the outbox entry. A dead receiver does not hold the
 * watch's next run back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WatchRunner } from '../../src/runtime/runner.ts';
import { runtimeKit, type RuntimeKit } from '../kit/runtime.ts';
import { allowAllRunAs } from '../kit/access.ts';

let kit: RuntimeKit;
afterEach(async () => {
  await kit?.close();
});

describe('detached deliveries', () => {
  it('a scheduled run returns with DELIVERY_PENDING before its webhook answers; the outcome lands on the outbox entry', async () => {
    const answers: Array<() => void> = [];
    const http = {
      request: () => new Promise<{ status: number; headers: Record<string, string>; body: string; truncated: boolean }>((resolve) => answers.push(() => resolve({ status: 200, headers: {}, body: 'ok', truncated: false }))),
      close: async () => {},
    };
    kit = runtimeKit({ http });
    const runner = new WatchRunner({
      store: kit.store, deliverer: kit.deliverer, searchClient: () => { throw new Error('unused'); }, runAs: allowAllRunAs, http, clock: kit.clock, logger: kit.logs.logger, metrics: kit.metrics, node: 'n1',
      detachDeliveries: true,
    });
    const w = kit.compile({ trigger: { schedule: { interval: '1m' } }, checks: [], actions: [{ type: 'webhook', name: 'hook', request: { url: 'https://hooks.example.com/x', body: 'hi' } }] });
    const t = kit.clock.now();
    const fire = { scheduledTime: t, triggeredTime: t, previousScheduledTime: null, nextScheduledTime: null };
    const rec = await runner.run(w, { fire, claim: true });
    expect(rec.status.code).toBe('DELIVERY_PENDING');
    const key = rec.actions[0]!.delivery!.key;
    expect(await kit.store.outbox.get(key)).toMatchObject({ status: 'pending' });
    expect((await kit.store.watchState.get('_main', 'w'))!.actions.hook!.last_status?.code).toBe('DELIVERY_PENDING');
    // The receiver answers after the run ended: the deliverer records it.
    expect(answers).toHaveLength(1);
    answers[0]!();
    await kit.deliverer.idle();
    expect(await kit.store.outbox.get(key)).toMatchObject({ status: 'delivered' });
    // Manual runs (the execute API) still wait for the truthful answer.
    await kit.clock.advance(1_000);
    const manual = runner.run(w, { fire: null, deliveryWaitMs: 15_000 });
    for (let i = 0; i < 100 && answers.length < 2; i++) await kit.clock.flush();
    answers[1]!();
    expect((await manual).status.code).toBe('ACTION_EXECUTED');
  });
});
