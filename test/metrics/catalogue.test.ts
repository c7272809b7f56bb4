/**
 * The metrics catalogue, proven by scraping `GET /metrics` of a running node: every documented name is
 * there with its type and labels, runs are counted by status and tenant, deliveries by type and outcome,
 * and no label takes a watch id or action name. The delivered notification writes one info line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { boundedLabel } from '../../src/metrics.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { shutAfterEach } from '../kit/shut-after-each.ts';
import { tempDirs } from '../kit/temp-dirs.ts';
import { startWebhookReceiver } from '../kit/receivers/webhook.ts';

const tempDir = tempDirs('vigil-metrics-');
const keep = shutAfterEach();

/** `name type` for every metric family the catalogue page documents (its tables' first two columns). */
function documented(): Array<[string, string]> {
  const page = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  return [...page.matchAll(/^\| `(vigil_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1]!, m[2]!]);
}

describe('metrics', () => {
  it('exposes the documented catalogue; runs by status and tenant, deliveries by type and outcome, no per-watch label', async () => {
    const hook = keep(await startWebhookReceiver());
    const base = tempDir();
    const dir = join(base, 'watches');
    mkdirSync(join(dir, 'ops'), { recursive: true });
    const post = { trigger: { schedule: { interval: '10s' } }, checks: [{ type: 'static', name: 's', target: 's', value: { n: 1 } }], actions: [{ type: 'webhook', name: 'page-the-secret-team', request: { method: 'POST', url: `${hook.url}/in`, body: 'x' } }] };
    writeFileSync(join(dir, 'watch-alpha.json'), JSON.stringify(post));
    writeFileSync(join(dir, 'ops', 'watch-beta.json'), JSON.stringify({ ...post, actions: [] }));
    const config = loadConfig({
      env: {},
      overrides: { data_dir: join(base, 'data'), watches_dir: dir, accounts_dir: join(base, 'accounts'), listen: '127.0.0.1:0', node_name: 'n1', scheduler: { spread_intervals: false }, egress: { allow: ['127.0.0.1'], disabled_action_types: [] } },
    });
    const clock = new FakeClock('2026-03-01T10:00:00Z');
    const logs = captureLogger('info');
    const app = keep(await buildApp(config, { logger: logs.logger, env: {}, clock }));
    await app.start();
    await clock.advance(10_000);
    await expect.poll(() => logs.lines.filter((l) => l.msg === 'notification delivered').length, { interval: 20, timeout: 5000 }).toBe(1);

    const text = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    const catalogue = documented();
    expect(catalogue.length).toBeGreaterThan(20);
    for (const [name, type] of catalogue) expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    expect(text).toMatch(/^vigil_watch_runs_total\{status="ACTION_EXECUTED",tenant="_main"\} 1$/m);
    expect(text).toMatch(/^vigil_watch_runs_total\{status="NO_ACTION",tenant="ops"\} 1$/m);
    expect(text).toMatch(/^vigil_deliveries_total\{type="webhook",outcome="delivered"\} 1$/m);
    expect(text).toMatch(/^vigil_delivery_attempt_duration_seconds_count\{type="webhook",outcome="success"\} 1$/m);
    expect(text).toMatch(/^vigil_check_duration_seconds_count\{type="static"\} 2$/m);
    expect(text).toMatch(/^vigil_state_commit_seconds_count [1-9]/m);
    expect(text).toMatch(/^vigil_trigger_lateness_seconds_count 2$/m);
    // Bounded: nothing a user names by the thousand becomes a label value.
    expect(text).not.toMatch(/watch-alpha|watch-beta|page-the-secret-team/);

    const line = logs.lines.find((l) => l.msg === 'notification delivered')!;
    expect(line).toMatchObject({ level: 30, tenant: '_main', watch: 'watch-alpha', action: 'page-the-secret-team', type: 'webhook', destination: new URL(hook.url).host, attempt: 1 });
    expect(line.latencyMs).toEqual(expect.any(Number));
  });

  it('gives the first tenants their own label value and the rest `_other`', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map(label)).toEqual(['a', 'b', '_other', 'a', '_other', 'b']);
  });
});
