/**
 * The commands that work on stored data follow the backend: with the cluster backend `vigil users`,
 * `security`, `rotate-keys`, `validate --accounts` and `execute` work on the cluster's indices, with no
 * data folder and no lock, while a daemon runs on the same indices.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateKey } from '../../src/accounts/keyring.ts';
import { envelopeKid } from '../../src/accounts/seal.ts';
import { usersCommand } from '../../src/cli/users.ts';
import { rotateKeysCommand } from '../../src/cli/keys.ts';
import { executeCommand } from '../../src/cli/execute.ts';
import { securityCommand } from '../../src/cli/security.ts';
import { startTestCluster, type TestCluster } from '../cluster/server.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { vigil } from './spawn-vigil.ts';

let cluster: TestCluster;
let cwd: string;
let configFile: string;
let prefix: string;
let key: string;
let daemon: App;

beforeAll(async () => {
  cluster = await startTestCluster({ flavour: 'es9' });
  cwd = mkdtempSync(join(tmpdir(), 'vigil-cli-cluster-'));
  prefix = `vt-${randomBytes(4).toString('hex')}`;
  key = await generateKey();
  configFile = join(cwd, 'vigil.json');
  // Folders that do not exist: nothing here may need them.
  writeFileSync(configFile, JSON.stringify({ data_dir: join(cwd, 'data'), accounts_dir: join(cwd, 'accounts'), watches_dir: join(cwd, 'watches'), clusters: { default: { urls: [cluster.url] } }, state: { backend: 'cluster', index_prefix: prefix } }));
  daemon = await buildApp(loadConfig({ file: configFile, env: {}, overrides: { listen: '127.0.0.1:0' } }), { logger: captureLogger('warn').logger, env: { VIGIL_MASTER_KEY: key }, security: { hasher: new QuickHasher() } });
  await daemon.start();
  await daemon.accounts!.put('slack', 'ops', { url: 'https://hooks.slack.com/services/T000/B000/cli-cluster' });
});
afterAll(async () => {
  await daemon.stop();
  await cluster.close();
  rmSync(cwd, { recursive: true, force: true });
});

function io(stdin = '') {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdin: (async function* () {
        yield stdin;
      })(),
      stdout: (t: string) => void (out.stdout += t),
      stderr: (t: string) => void (out.stderr += t),
      env: { VIGIL_MASTER_KEY: key },
    },
  };
}

describe('the CLI on the cluster backend, beside a running daemon', () => {
  it('vigil users adds, lists, issues a token and deletes, in the cluster', async () => {
    const add = io('correct horse battery\n');
    expect(await usersCommand(['add', 'kirk', '--role', 'admin', '--password-stdin', '--config', configFile], add.io)).toBe(0);
    expect(add.out.stdout).toBe("user 'kirk' created (roles: admin)\n");
    const list = io();
    expect(await usersCommand(['list', '--config', configFile], list.io)).toBe(0);
    expect(list.out.stdout).toContain('kirk\tadmin\n');
    const token = io();
    expect(await usersCommand(['token', 'kirk', '--config', configFile], token.io)).toBe(0);
    expect((await daemon.store.security.tokens.list('kirk')).length).toBe(1);
    expect((await daemon.store.security.users.get('kirk'))?.roles).toEqual(['admin']);
    expect(await usersCommand(['delete', 'kirk', '--config', configFile], io().io)).toBe(0);
    expect(await daemon.store.security.users.get('kirk')).toBeUndefined();
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('vigil security export writes the cluster’s configuration', async () => {
    await daemon.security.users.putUser('spock', { password: 'live long and prosper', roles: ['viewer'] });
    const out = join(cwd, 'export');
    const res = io();
    expect(await securityCommand(['export', out, '--config', configFile], { stdout: res.io.stdout, stderr: res.io.stderr })).toBe(0);
    expect(readFileSync(join(out, 'internal_users.yml'), 'utf8')).toMatch(/^spock:/m);
  });

  it('vigil validate --accounts checks account references against the cluster', async () => {
    const dir = join(cwd, 'w');
    mkdirSync(dir, { recursive: true });
    const slack = (account: string) => ({ trigger: {}, checks: [], actions: [{ type: 'slack', name: 'n', account, text: 'x' }] });
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(slack('ops')));
    writeFileSync(join(dir, 'missing.json'), JSON.stringify(slack('nobody')));
    const res = await vigil(['validate', dir, '--accounts', '--config', configFile], { env: { VIGIL_MASTER_KEY: undefined } });
    expect(res.stdout).toBe(`${join(dir, 'missing.json')}: actions[0].account: no slack account 'nobody' in index ${prefix}-accounts\n`);
    expect(res.code).toBe(1);
    // Without --accounts nothing is looked up.
    expect((await vigil(['validate', dir])).code).toBe(0);
  });

  it('vigil execute takes the accounts from the cluster and keeps its run out of the cluster’s state', async () => {
    const file = join(cwd, 'run.json');
    writeFileSync(file, JSON.stringify({ trigger: {}, checks: [], actions: [{ type: 'slack', name: 'n', account: 'ops', text: 'x' }] }));
    const out = { stdout: '', stderr: '' };
    const code = await executeCommand([file, '--simulate', '--config', configFile], { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) }, { VIGIL_MASTER_KEY: key });
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout).actions[0].status.code).toBe('SIMULATED_ACTION_EXECUTED');
    expect(await daemon.store.log.query({ watchId: 'run' })).toEqual([]);
    const missing = join(cwd, 'missing.json');
    writeFileSync(missing, JSON.stringify({ trigger: {}, checks: [], actions: [{ type: 'slack', name: 'n', account: 'nobody', text: 'x' }] }));
    const err = { stdout: '', stderr: '' };
    expect(await executeCommand([missing, '--simulate', '--config', configFile], { stdout: (t) => void (err.stdout += t), stderr: (t) => void (err.stderr += t) }, { VIGIL_MASTER_KEY: key })).toBe(1);
    expect(err.stderr).toContain("no slack account 'nobody'");
  });

  it('vigil rotate-keys rewraps the cluster’s accounts under the active key', async () => {
    const next = await generateKey();
    const res = io();
    const saved = process.env.VIGIL_MASTER_KEY;
    process.env.VIGIL_MASTER_KEY = `${next},${key}`;
    try {
      expect(await rotateKeysCommand(['--config', configFile], { stdout: res.io.stdout, stderr: res.io.stderr })).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.VIGIL_MASTER_KEY;
      else process.env.VIGIL_MASTER_KEY = saved;
    }
    expect(JSON.parse(res.out.stdout)).toEqual({ total: 1, successful: 1, failed: 0 });
    const doc = cluster.store.get(`${prefix}-accounts`).docs.get('slack:ops')!.source as { doc: { url: string } };
    const kids = await daemon.accounts!.keyUsage();
    expect(kids.find((k) => k.kid === envelopeKid(doc.doc.url))?.fields).toBe(1);
    expect(envelopeKid(doc.doc.url)).not.toBe(daemon.keyring!.activeKid);
    // Rotate back: the daemon, which has only the first key, reads it again.
    process.env.VIGIL_MASTER_KEY = `${key},${next}`;
    try {
      expect(await rotateKeysCommand(['--config', configFile], { stdout: () => {}, stderr: () => {} })).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.VIGIL_MASTER_KEY;
      else process.env.VIGIL_MASTER_KEY = saved;
    }
    expect(await daemon.accounts!.resolve('slack', 'ops')).toMatchObject({ url: expect.stringContaining('cli-cluster') });
  });
});
