import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { ROOT, vigil } from './spawn-vigil.ts';

let dir: string;
let cluster: TestCluster;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  cluster = await startTestCluster({ flavour: 'es9' });
  cluster.seed('logs', [{ level: 'ERROR', service: 'checkout' }, { level: 'INFO', service: 'auth' }], { level: { type: 'keyword' }, service: { type: 'keyword' } });
});
afterAll(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

const good = {
  trigger: { schedule: { cron: '0 0/5 * * * ?' } },
  checks: [
    { type: 'search', name: 'errors', target: 'errors', request: { indices: ['logs'], body: { query: { term: { level: 'ERROR' } } } } },
    { type: 'condition', name: 'any', lang: 'cel', source: 'data.errors.hits.total.value > 0' },
  ],
  actions: [{ type: 'webhook', name: 'hook', request: { method: 'POST', url: 'https://hooks.example.com/x', body: '{{data.errors.hits.total.value}} errors' } }],
  log_runtime_data: true,
};

describe('vigil validate', () => {
  it('exits 0 for the shipped example watches', async () => {
    const res = await vigil(['validate', join(ROOT, 'watches')]);
    expect(res.stdout).toBe('');
    expect(res.code).toBe(0);
  });

  it('accepts actions without "account" offline (the daemon checks the default account at load)', async () => {
    const file = join(dir, 'signals-sample.json');
    writeFileSync(file, JSON.stringify({ ...good, actions: [{ type: 'slack', name: 'notify', text: 'Errors: {{data.errors.hits.total.value}}' }] }));
    const res = await vigil(['validate', file]);
    expect(res.stdout).toBe('');
    expect(res.code).toBe(0);
  });

  it('prints FILE: path: message for each problem and exits 1', async () => {
    const folder = join(dir, 'w');
    mkdirSync(join(folder, 'team'), { recursive: true });
    writeFileSync(join(folder, 'ok.json'), JSON.stringify(good));
    writeFileSync(join(folder, 'team', 'bad.json'), JSON.stringify({ ...good, trigger: { schedule: { cron: '*/5 * * * *' } }, colour: 1 }));
    writeFileSync(join(folder, 'syntax.json'), '{"trigger":');
    const res = await vigil(['validate', folder]);
    expect(res.code).toBe(1);
    const lines = res.stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/syntax\.json: _: invalid JSON/);
    expect(lines[1]).toMatch(/team\/bad\.json: colour: unknown field/);
    expect(lines[2]).toMatch(/team\/bad\.json: trigger\.schedule\.cron.*Quartz/);
    expect(res.stderr).toMatch(/1 of 3 watch file\(s\) valid/);
  });

  it('counts a path that does not exist apart from the watch files checked', async () => {
    const file = join(dir, 'counted.json');
    writeFileSync(file, JSON.stringify(good));
    const res = await vigil(['validate', join(dir, 'nope.json'), file]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe(`${join(dir, 'nope.json')}: _: no such file or folder\n`);
    expect(res.stderr).toBe('1 of 1 watch file(s) valid; 1 path(s) not found\n');
  });
});

describe('vigil execute', () => {
  it('runs a watch once against a cluster and prints its watch-log record; --simulate sends nothing and shows the request', async () => {
    const file = join(dir, 'errors.json');
    writeFileSync(file, JSON.stringify(good));
    const res = await vigil(['execute', file, '--simulate', '--cluster', cluster.url]);
    expect(res.code).toBe(0);
    const rec = JSON.parse(res.stdout);
    expect(rec.status.code).toBe('SIMULATED_ACTION_EXECUTED');
    expect(rec.watch_id).toBe('errors');
    expect(rec.data.errors.hits.total.value).toBe(1);
    expect(rec.actions[0].request[0]).toMatchObject({ method: 'POST', body: '1 errors' });
  });

  it('exits 1 when the run is EXECUTION_FAILED', async () => {
    const file = join(dir, 'missing.json');
    writeFileSync(file, JSON.stringify({ ...good, checks: [{ type: 'search', name: 's', request: { indices: ['nope'], body: {} } }] }));
    const res = await vigil(['execute', file, '--cluster', cluster.url]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).status.code).toBe('EXECUTION_FAILED');
  });
});

describe('vigil keygen and usage', () => {
  it('prints a 32-byte base64 key and nothing else', async () => {
    const res = await vigil(['keygen']);
    expect(res.code).toBe(0);
    expect(Buffer.from(res.stdout.trim(), 'base64')).toHaveLength(32);
  });

  it('refuses unknown commands with usage', async () => {
    const res = await vigil(['frobnicate']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown command/);
  });
});
