import { describe, it, expect, afterEach } from 'vitest';
import { runtimeKit, fixedAccounts, type RuntimeKit } from '../kit/runtime.ts';
import { createTestHttpClient } from '../kit/undici-http.ts';
import { startPagerdutyReceiver, type PdReceiver } from '../kit/receivers/pagerduty.ts';

let kit: RuntimeKit;
let pd: PdReceiver;
afterEach(async () => {
  await kit?.close();
  await pd?.close();
});

describe('alert episodes end to end with PagerDuty', () => {
  it('triggers once per episode, re-fires on the same dedup_key, acknowledges on ack, resolves when the situation ends', async () => {
    pd = await startPagerdutyReceiver(['R0VIGILpdTestKey00000000000000ab']);
    kit = runtimeKit({
      http: createTestHttpClient(),
      accounts: fixedAccounts({ pagerduty: { oncall: { integration_key: 'R0VIGILpdTestKey00000000000000ab', url: pd.enqueueUrl } } }),
    });
    // Stored through the watch service (its scheduler is not started: the test fires the runs itself).
    const svc = kit.watches;
    await svc.put('_main', 'w', {
      trigger: { schedule: { interval: '1m' } },
      checks: [{ type: 'condition', name: 'down', lang: 'cel', source: 'data.down' }],
      actions: [{ type: 'pagerduty', name: 'page', account: 'oncall', throttle_period: '2m', send_acknowledge: true, event: { payload: { summary: 'checkout is down ({{watch.id}})', source: 'vigil' } } }],
    });
    const w = svc.get('_main', 'w')!.watch!;
    const run = async (down: boolean) => {
      const fire = { scheduledTime: kit.clock.now(), triggeredTime: kit.clock.now(), previousScheduledTime: null, nextScheduledTime: null };
      const rec = await kit.runner.run(w, { fire, input: { down } });
      await kit.clock.advance(60_000);
      return rec;
    };

    expect((await run(true)).status.code).toBe('ACTION_EXECUTED');
    expect((await run(true)).status.code).toBe('ACTION_THROTTLED');
    expect((await run(true)).status.code).toBe('ACTION_EXECUTED'); // re-fire, same episode
    await svc.ack('_main', 'w', 'page', 'spock');
    expect((await run(true)).status.code).toBe('ACTION_THROTTLED'); // throttle is checked before the ack
    expect((await run(true)).status.code).toBe('ACKED');
    const ended = await run(false);
    expect(ended.actions[0]!.status).toMatchObject({ code: 'ACTION_EXECUTED', detail: 'situation ended: resolve sent' });
    await run(true); // a new episode

    const incidents = pd.incidents();
    expect(incidents).toHaveLength(2);
    expect(incidents[0]).toMatchObject({ status: 'resolved', triggers: 2 });
    expect(incidents[0]!.events.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'acknowledge', 'resolve']);
    expect(new Set(incidents[0]!.events.map((e) => e.dedup_key)).size).toBe(1);
    expect(incidents[1]!.status).toBe('triggered');
    expect(incidents[1]!.dedup_key).not.toBe(incidents[0]!.dedup_key);
    expect(kit.logs.text()).not.toContain('R0VIGILpdTestKey00000000000000ab');
  });
});
