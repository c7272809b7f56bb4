/** `vigil validate --accounts DIR`: the accounts a watch names must exist there; no key is needed. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../kit/temp-dirs.ts';
import { vigil } from './spawn-vigil.ts';

const tempDir = tempDirs('vigil-validate-acc-');

describe('vigil validate --accounts', () => {
  it('names each account reference with no account file, the implicit default included, and passes once they exist', async () => {
    const base = tempDir();
    const accounts = join(base, 'accounts');
    mkdirSync(join(accounts, 'slack'), { recursive: true });
    // Sealed content is never opened: existence is what is checked.
    writeFileSync(join(accounts, 'slack', 'ops.json'), '{"sealed":"…"}');
    const watch = join(base, 'w.json');
    writeFileSync(
      watch,
      JSON.stringify({
        trigger: { schedule: { interval: '1m' } },
        checks: [],
        actions: [
          { type: 'slack', name: 'chat', account: 'ops', text: 'x' },
          { type: 'slack', name: 'other', account: 'nobody', text: 'x' },
          { type: 'pagerduty', name: 'page', event: { payload: { summary: 'x' } } },
        ],
      }),
    );
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
});
