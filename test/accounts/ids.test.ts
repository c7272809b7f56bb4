/** Odd ids never build a path, never touch a file, never pollute a prototype. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.ts';
import { isValidId } from '../../src/accounts/store.ts';
import type { AccountRegistry } from '../../src/accounts/registry.ts';
import { key, openTest, ringOf, tempDir } from './fixtures.ts';

let dir: string;
let cleanup: () => Promise<void>;
let reg: AccountRegistry;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  reg = await openTest(dir, await ringOf(key(1)));
});
afterEach(async () => cleanup());

const BAD = [
  '', '..', '.', '../../etc/passwd', '%2e%2e%2f', '%2e%2e', 'a/b', 'a\\b', '__proto__', 'constructor', 'prototype',
  'a\u0000b', 'x'.repeat(10_000), 'x'.repeat(129), 'аdmin' /* Cyrillic а */, 'ops ', 'ops.json', '~', 'C:x',
];

async function listAll(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).sort();
}

describe('ids and types', () => {
  it('accepts [A-Za-z0-9_-]{1,128}', () => {
    for (const ok of ['a', 'ops-mail_1', 'A'.repeat(128), '-', '_']) expect(isValidId(ok)).toBe(true);
  });

  it.each(BAD.map((b) => [JSON.stringify(b).slice(0, 40), b]))('rejects %s with INVALID_ID and touches no file', async (_label, bad) => {
    const parent = dirname(dir);
    const before = await listAll(parent);
    const calls: Array<() => Promise<unknown>> = [
      () => reg.put('email', bad, { host: 'h', password: 'pw-1234' }),
      () => reg.put(bad, 'ok', { host: 'h' }),
      () => reg.getPublic('email', bad),
      () => reg.resolve('email', bad),
      () => reg.delete('email', bad),
      () => reg.exists(bad, 'ok'),
    ];
    for (const call of calls) {
      let err: unknown;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VigilError);
      expect((err as VigilError).code).toBe('INVALID_ID');
      expect((err as VigilError).message.length).toBeLessThan(200);
    }
    expect(await listAll(parent)).toEqual(before);
  });

  it('JSON bodies with __proto__ or constructor keys cannot pollute Object.prototype', async () => {
    const body = JSON.parse('{"host":"h","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}');
    await expect(reg.put('email', 'ops', body)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    const hook = JSON.parse('{"url":"https://x.example","headers":{"__proto__":{"polluted":"yes"},"X-A":"secret-a"}}');
    await expect(reg.put('webhook', 'hook', hook)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    const hook2 = JSON.parse('{"url":"https://x.example","headers":{"__proto__":"v-secret","X-A":"secret-a"}}');
    await expect(reg.put('webhook', 'hook2', hook2)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    // a hand-crafted file with such keys is read into null-prototype objects
    await reg.put('webhook', 'hook3', { url: 'https://x.example', headers: { 'X-A': 'secret-a' } });
    const file = join(dir, 'webhook', 'hook3.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"headers": {', '"__proto__": {"polluted": "yes"}, "headers": {"__proto__": {"polluted": "yes"},'));
    await reg.getPublic('webhook', 'hook3');
    await reg.resolve('webhook', 'hook3').catch(() => undefined);
    await reg.search({});
    await reg.keyUsage();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(await listAll(dir)).not.toContain(join('webhook', 'hook.json'));
  });
});
