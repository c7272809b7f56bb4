/**
 * A file that is not valid JSON is reported with the position of the mistake and nothing of its text:
 * Node's parser messages quote the text around the error, which in a watch or config file may be a
 * credential written in clear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { executeCommand } from '../../src/cli/execute.ts';
import { loadWatchFile } from '../../src/watches/loader.ts';
import { compileEnv } from '../kit/runtime.ts';

const SECRET = 'hunter2-Unquoted-Secret';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-json-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('invalid JSON never echoes the file', () => {
  it('keeps the position when the parser gives one', () => {
    const file = join(dir, 'short.json');
    writeFileSync(file, `{"password": "${SECRET}"`);
    expect(() => loadConfig({ file, env: {} })).toThrow(/^cannot read config file .*short\.json: invalid JSON: .* at line 1 column \d+ \(position \d+\)$/);
  });

  it('a config file', () => {
    const file = join(dir, 'vigil.json');
    writeFileSync(file, `{"clusters": {"default": {"urls": ["http://es:9200"], "auth": {"username": "vigil", "password": ${SECRET}}}}}`);
    let message = '';
    try {
      loadConfig({ file, env: {} });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^cannot read config file .*vigil\.json: invalid JSON: invalid symbol at line 1 column \d+ \(position \d+\)$/);
    expect(message).not.toContain('hunter2');
  });

  it('a watch file, as validate and the daemon report it, and as execute does', async () => {
    const file = join(dir, 'w.json');
    writeFileSync(file, `{"trigger": {}, "checks": [{"type": "http", "name": "h", "request": {"url": "https://x.example", "auth": {"type": "basic", "username": "u", "password": ${SECRET}}}}]}`);
    const res = await loadWatchFile({ file, tenant: '_main', id: 'w' }, compileEnv());
    expect(res.ok).toBe(false);
    const shown = JSON.stringify(res.ok ? null : res.detail);
    expect(shown).toMatch(/^\{"_":\[\{"error":"invalid JSON: invalid symbol at line 1 column \d+ \(position \d+\)"\}\]\}$/);
    expect(shown).not.toContain('hunter2');

    let err = '';
    const code = await executeCommand([file], { stdout: () => undefined, stderr: (s) => void (err += s) }, {});
    expect(code).toBe(1);
    expect(err).toMatch(/: _: invalid JSON: invalid symbol at line 1 column \d+ \(position \d+\)\n$/);
    expect(err).not.toContain('hunter2');
  });
});
