/**
 * `vigil execute`: the master key only when the watch uses an account, and a bounded run (`--timeout`)
 * whatever its destinations do. The key cases run the command in this process (its imports cost a
 * second a spawn); the deadline is checked on the real command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../../src/accounts/keyring.ts';
import { keyRingFromEnv } from '../../src/accounts/keysource.ts';
import { AccountRegistry } from '../../src/accounts/registry.ts';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { executeCommand } from '../../src/cli/execute.ts';
import { vigil } from './spawn-vigil.ts';

let cwd: string;
let key: string;
beforeAll(async () => {
  // A working directory like a real installation's: ./accounts holds sealed accounts.
  cwd = mkdtempSync(join(tmpdir(), 'vigil-execute-cli-'));
  key = await generateKey();
  const reg = await AccountRegistry.open({ dir: join(cwd, 'accounts'), keyring: await keyRingFromEnv(key), types: builtinRegistry(), logger: silentLogger(), clock: systemClock });
  await reg.put('slack', 'ops', { url: 'https://hooks.slack.com/services/T000/B000/execute-test' });
  await reg.proxies.put('corp', { uri: 'http://proxy.example:3128' });
  mkdirSync(join(cwd, 'w'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function watchFile(name: string, watch: unknown): string {
  const file = join(cwd, 'w', `${name}.json`);
  writeFileSync(file, JSON.stringify(watch));
  return file;
}

const NO_KEY = { VIGIL_MASTER_KEY: undefined };

/** Runs `vigil execute` in this process, with ./accounts of the test installation and `env` as the environment. */
async function execute(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
  const code = await executeCommand([...args, '--accounts', join(cwd, 'accounts')], io, { ...process.env, VIGIL_MASTER_KEY: undefined, ...env });
  return { code, ...out };
}
const constants = { type: 'static', name: 'constants', target: 'constants', value: { n: 7 } };

describe('vigil execute and the master key', () => {
  it('a watch that uses no account runs without the key, even beside sealed accounts or with a broken key set', async () => {
    const file = watchFile('plain', { trigger: {}, checks: [constants], actions: [{ type: 'log', name: 'say', text: 'n={{data.constants.n}}' }] });
    const noKey = await execute([file]);
    const badKey = await execute([file], { VIGIL_MASTER_KEY: 'not-a-key' });
    for (const res of [noKey, badKey]) {
      expect(res.stderr).not.toMatch(/master key|VIGIL_MASTER_KEY/);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout).status.code).toBe('ACTION_EXECUTED');
    }
  });

  it('a watch that uses an account needs the key: one clear line naming each account, exit 1; --simulate says it did not check them', async () => {
    const file = watchFile('chat', { trigger: {}, checks: [constants], actions: [{ type: 'slack', name: 'chat', text: 'n={{data.constants.n}}' }] });
    const real = await execute([file]);
    const simulated = await execute([file, '--simulate']);
    expect(real.code).toBe(1);
    expect(real.stdout).toBe('');
    expect(real.stderr).toBe("vigil execute: the watch uses accounts, which need the master key (set VIGIL_MASTER_KEY or pass --key-file):\n  actions[0].account: slack account 'default'\n");
    expect(simulated.code).toBe(0);
    expect(simulated.stderr).toContain('accounts not checked (no master key');
    expect(JSON.parse(simulated.stdout).actions[0]).toMatchObject({ status: { code: 'SIMULATED_ACTION_EXECUTED' }, request: [{ text: 'n=7' }] });
  });

  it('with the key, accounts that do not exist are named before anything runs', async () => {
    const file = watchFile('two', {
      trigger: {},
      actions: [
        { type: 'slack', name: 'known', account: 'ops', text: 'x' },
        { type: 'slack', name: 'unknown', account: 'nope', text: 'x' },
      ],
    });
    const res = await execute([file, '--simulate'], { VIGIL_MASTER_KEY: key });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe("vigil execute: actions[1].account: no slack account 'nope'\n");
  });

  it('stored proxies and trust stores are kept under the key too: named without it, checked with it', async () => {
    const file = watchFile('proxied', {
      trigger: {},
      actions: [
        { type: 'webhook', name: 'a', request: { url: 'https://hooks.example/a' }, proxy: 'corp' },
        { type: 'webhook', name: 'b', request: { url: 'https://hooks.example/b' }, proxy: 'nope', tls: { truststore_id: 'ca' } },
      ],
    });
    const noKey = await execute([file]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("actions[1].proxy: stored proxy 'nope'");
    const res = await execute([file, '--simulate'], { VIGIL_MASTER_KEY: key });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("vigil execute: actions[1].tls.truststore_id: no stored trust store 'ca'\n  actions[1].proxy: no stored proxy 'nope'\n");
  });

  it('channels are accounts too: named without the key, checked with it', async () => {
    const file = watchFile('channels', {
      trigger: {},
      actions: [
        { type: 'notification', name: 'known', channel: 'ops', message: 'x' },
        { type: 'notification', name: 'unknown', channel: 'nope', message: 'x' },
      ],
    });
    const noKey = await execute([file]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("  actions[0].channel: channel 'ops'\n  actions[1].channel: channel 'nope'\n");
    const res = await execute([file, '--simulate'], { VIGIL_MASTER_KEY: key });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("vigil execute: actions[1].channel: no channel 'nope'\n");
  });
});

describe('vigil execute --timeout', () => {
  let server: Server;
  let hits = 0;
  let url: string;
  beforeAll(async () => {
    // A receiver that is always busy: every attempt is retried, until the delivery's own deadline (minutes).
    server = createServer((_req, res) => {
      hits++;
      res.statusCode = 503;
      res.end('busy');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('stops retrying at the deadline and reports the action as failed, with the attempts and the last error; exit 1', async () => {
    const file = watchFile('busy', { trigger: {}, actions: [{ type: 'webhook', name: 'hook', request: { method: 'POST', url, body: 'hi' } }] });
    const res = await vigil(['execute', file, '--timeout', '2s'], { cwd, env: { ...NO_KEY, VIGIL_EGRESS_ALLOW: '127.0.0.1' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('vigil execute: stopped at --timeout 2s\n');
    const rec = JSON.parse(res.stdout);
    expect(rec.status.code).toBe('ACTION_FAILED');
    expect(rec.actions[0].status.code).toBe('ACTION_FAILED');
    expect(rec.actions[0].error.detail).toBe('TIMEOUT');
    expect(rec.actions[0].error.message).toMatch(/^not delivered: stopped at --timeout 2s after \d+ attempts?; last error .*503/);
    expect(hits).toBeGreaterThanOrEqual(2);
    // The whole command, start-up included, well inside the time one delivery would otherwise retry for.
    expect(res.ms).toBeLessThan(15_000);
  });
});
