import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { createMetrics } from '../../src/metrics.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { WatchRunner } from '../../src/runtime/runner.ts';
import { Scheduler } from '../../src/schedule/scheduler.ts';
import { actionTypes } from '../../src/actions/index.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { compileEnv, fixedAccounts } from '../kit/runtime.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { createTestHostCheck, createTestHttpClient } from '../kit/undici-http.ts';
import { startSmtpPeer } from '../kit/smtp-peer.ts';

describe('an SMTP tarpit does not hold up other watches', () => {
  it('abandons the mail after the greeting timeout while a 1 s watch keeps its schedule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tarpit-'));
    const tarpit = await startSmtpPeer({ tarpit: true });
    const store = new SqliteStateStore(dir);
    const logs = captureLogger();
    const metrics = createMetrics();
    const http = createTestHttpClient();
    const searchClient = () => { throw new Error('unused'); };
    const deliverer = new Deliverer({
      store, types: actionTypes, http, searchClient, clock: systemClock, logger: logs.logger, metrics, egress: createTestHostCheck(),
      accounts: fixedAccounts({ email: { stuck: { host: tarpit.host, port: tarpit.port, session_timeout: { connect: '2s', greeting: '2500ms', socket: '5s' }, default_from: 'vigil@example.com' } } }),
    });
    const runner = new WatchRunner({ store, deliverer, searchClient, http, clock: systemClock, logger: logs.logger, metrics, node: 't' });
    const scheduler = new Scheduler({ clock: systemClock, logger: logs.logger });
    const env = compileEnv();
    const compile = (id: string, w: unknown) => {
      const r = compileWatch(w, { tenant: '_main', id }, env);
      if (!r.ok) throw new Error(JSON.stringify(r.detail));
      return r.watch;
    };
    const mail = compile('mail', { trigger: { schedule: { interval: '1s' } }, actions: [{ type: 'email', name: 'm', account: 'stuck', to: 'oncall@example.com', subject: 's', text_body: 'b' }] });
    const beat = compile('beat', { trigger: { schedule: { interval: '1s' } }, actions: [{ type: 'log', name: 'b', text: 'beat' }] });
    const lateness: number[] = [];
    scheduler.upsert('mail', mail.schedule, (fire) => runner.run(mail, { fire }).then(() => undefined));
    scheduler.upsert('beat', beat.schedule, async (fire) => {
      lateness.push(fire.triggeredTime - fire.scheduledTime);
      await runner.run(beat, { fire });
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 4_300));
    await deliverer.stop(0);
    await scheduler.stop();

    // The tarpit was reached and gave up on at the greeting timeout (retryable), not held for minutes.
    expect(tarpit.connections).toBeGreaterThanOrEqual(1);
    const retryLine = logs.lines.find((l) => String(l.msg).includes('will retry'));
    expect(String(retryLine?.msg)).toMatch(/TIMEOUT/);
    // Meanwhile the other watch fired every second, on time (a blocked scheduler would be ≥ 2.5 s late).
    expect(lateness.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...lateness)).toBeLessThan(1_000);
    await store.close();
    await tarpit.close();
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
