import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { buildRuntime } from '../../src/app/runtime.ts';
import { compileWatch } from '../../src/watches/compile.ts';
import { fixedAccounts } from '../kit/runtime.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { createTestHttpClient } from '../kit/undici-http.ts';
import { startSmtpPeer } from '../kit/smtp-peer.ts';

describe('an SMTP tarpit does not hold up other watches', () => {
  it('abandons the mail after the greeting timeout while a 1 s watch keeps its schedule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tarpit-'));
    const tarpit = await startSmtpPeer({ tarpit: true });
    const logs = captureLogger();
    const http = createTestHttpClient();
    const config = loadConfig({
      env: {},
      overrides: {
        data_dir: dir,
        watches_dir: join(dir, 'watches'),
        accounts_dir: join(dir, 'accounts'),
        node_name: 't',
        egress: { allow: ['127.0.0.0/8'], disabled_action_types: [] },
        scheduler: { spread_intervals: false },
      },
    });
    // The engine as the app wires it; the test schedules its two watches on it by hand to time them.
    const rt = await buildRuntime(config, {
      clock: systemClock,
      logger: logs.logger,
      http,
      env: {},
      searchClient: () => { throw new Error('unused'); },
      accountSource: fixedAccounts({ email: { stuck: { host: tarpit.host, port: tarpit.port, session_timeout: { connect: '2s', greeting: '2500ms', socket: '5s' }, default_from: 'vigil@example.com' } } }),
    });
    const { runner, scheduler, deliverer, store } = rt;
    const compile = (id: string, w: unknown) => {
      const r = compileWatch(w, { tenant: '_main', id }, rt.compileEnv);
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
