/**
 * `vigil validate --accounts [DIR]`: the accounts a watch names (and the channels its notification
 * actions name) must exist in DIR, or without DIR where the configured backend keeps accounts; no key
 * is needed. The cluster backend's path is in cluster-backend.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../kit/temp-dirs.ts';
import { vigil } from './spawn-vigil.ts';
import { parseCommand } from '../../src/cli/args.ts';
import { VALIDATE } from '../../src/cli/specs.ts';

const tempDir = tempDirs('vigil-validate-acc-');

/** Writes `base/w.json`, a watch with no checks and these actions; returns its path. */
function writeWatch(base: string, actions: unknown[]): string {
  const watch = join(base, 'w.json');
  writeFileSync(watch, JSON.stringify({ trigger: { schedule: { interval: '1m' } }, checks: [], actions }));
  return watch;
}

describe('vigil validate --accounts', () => {
  it('takes DIR from the next argument unless there is none or it is an option', () => {
    const io = { stdout: () => {}, stderr: () => {} };
    const accounts = (args: string[]) => {
      const p = parseCommand(VALIDATE, args, io);
      return p.ok ? { accounts: p.values.accounts, paths: p.positionals } : p.code;
    };
    expect(accounts(['w.json', '--accounts'])).toEqual({ accounts: '', paths: ['w.json'] });
    expect(accounts(['w.json', '--accounts', '--config', 'c.json'])).toEqual({ accounts: '', paths: ['w.json'] });
    expect(accounts(['--accounts', 'acc', 'w.json'])).toEqual({ accounts: 'acc', paths: ['w.json'] });
    expect(accounts(['w.json'])).toEqual({ accounts: undefined, paths: ['w.json'] });
    expect(accounts(['--accounts', '--', 'w.json'])).toEqual({ accounts: '', paths: ['w.json'] });
    // DIR-less before the paths: the path is taken for DIR, and the paths are missing.
    expect(accounts(['--accounts', 'w.json'])).toBe(2);
  });

  it('names each account reference with no account file, the implicit default included, and passes once they exist', async () => {
    const base = tempDir();
    const accounts = join(base, 'accounts');
    mkdirSync(join(accounts, 'slack'), { recursive: true });
    // Sealed content is never opened: existence is what is checked.
    writeFileSync(join(accounts, 'slack', 'ops.json'), '{"sealed":"…"}');
    const watch = writeWatch(base, [
      { type: 'slack', name: 'chat', account: 'ops', text: 'x' },
      { type: 'slack', name: 'other', account: 'nobody', text: 'x' },
      { type: 'pagerduty', name: 'page', event: { payload: { summary: 'x' } } },
    ]);
    const res = await vigil(['validate', '--accounts', accounts, watch]);
    expect(res.code).toBe(1);
    expect(res.stdout.trim().split('\n').sort()).toEqual([
      `${watch}: actions[1].account: no slack account 'nobody' in ${accounts}`,
      `${watch}: actions[2].account: no pagerduty account 'default' (the account an action without "account" uses) in ${accounts}`,
    ]);

    mkdirSync(join(accounts, 'pagerduty'));
    writeFileSync(join(accounts, 'pagerduty', 'default.json'), '{}');
    mkdirSync(join(accounts, 'slack'), { recursive: true });
    writeFileSync(join(accounts, 'slack', 'nobody.json'), '{}');
    const ok = await vigil(['validate', '--accounts', accounts, watch]);
    expect(ok.stdout).toBe('');
    expect(ok.code).toBe(0);

    const missing = await vigil(['validate', '--accounts', join(base, 'nope'), watch]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`vigil validate: --accounts: no such folder '${join(base, 'nope')}'`);
  });

  it('without DIR checks the configured accounts folder; channels must be held by a channel-type account; an unusable file is named as such', async () => {
    const base = tempDir();
    const accounts = join(base, 'configured');
    mkdirSync(join(accounts, 'slack'), { recursive: true });
    writeFileSync(join(accounts, 'slack', 'ops.json'), '{}');
    writeFileSync(join(accounts, 'slack', 'broken.json'), 'not json {');
    const config = join(base, 'vigil.json');
    writeFileSync(config, JSON.stringify({ accounts_dir: accounts }));
    const watch = writeWatch(base, [
      { type: 'slack', name: 'chat', account: 'ops', text: 'x' },
      { type: 'slack', name: 'bad', account: 'broken', text: 'x' },
      { type: 'notification', name: 'known', channel: 'ops', message: 'x' },
      { type: 'notification', name: 'unknown', channel: 'nope', message: 'x' },
    ]);
    {
      const res = await vigil(['validate', watch, '--accounts', '--config', config], { env: { VIGIL_MASTER_KEY: undefined } });
      expect(res.code).toBe(1);
      const lines = res.stdout.trim().split('\n').sort();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(`${watch}: actions[1].account: slack account 'broken' in ${accounts} is unusable: its file is not valid JSON`);
      expect(lines[1]).toMatch(/: actions\[3\]\.channel: no channel 'nope' in .* \(an account of type .*\bslack\b.*\)$/);
      expect(lines[1]!.startsWith(`${watch}: actions[3].channel: no channel 'nope' in ${accounts} (`)).toBe(true);
    }
    // An explicit DIR is that folder, whatever the configuration says.
    const other = join(base, 'other');
    mkdirSync(other);
    const res = await vigil(['validate', watch, '--accounts', other, '--config', config]);
    expect(res.stdout).toContain(`actions[0].account: no slack account 'ops' in ${other}`);
    expect(res.code).toBe(1);
  });
});
