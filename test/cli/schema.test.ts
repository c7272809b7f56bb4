/** `vigil schema`: the real command writes the JSON Schemas of watch files and account documents. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../src/registry/builtin.ts';
import { jsonSchemaFiles } from '../../src/watches/json-schema.ts';
import { vigil } from './spawn-vigil.ts';

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'vigil-schema-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('vigil schema', () => {
  it('writes watch.schema.json and one account-<type>.schema.json per account type into --out (default ./schemas), naming each', async () => {
    const expected = jsonSchemaFiles(builtinRegistry());
    const res = await vigil(['schema', '--out', 'out/json'], { cwd });
    expect(res.code, res.stderr).toBe(0);
    const dir = join(cwd, 'out', 'json');
    expect(res.stdout.trim().split('\n').sort()).toEqual(Object.keys(expected).map((f) => join(dir, f)).sort());
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, schema] of Object.entries(expected)) expect(JSON.parse(readFileSync(join(dir, name), 'utf8'))).toEqual(schema);

    expect((await vigil(['schema'], { cwd })).code).toBe(0);
    expect(readdirSync(join(cwd, 'schemas')).sort()).toEqual(Object.keys(expected).sort());
  });

  it('refuses an argument it does not take, with the usage hint (exit 2)', async () => {
    const res = await vigil(['schema', 'watch'], { cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^vigil schema: unexpected argument 'watch'\nRun 'vigil schema --help' for usage\.\n$/);
  });
});
