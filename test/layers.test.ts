/**
 * The layer rules of .dependency-cruiser.cjs (`npm run layers`) catch what they are there for: run on a
 * small tree of their own, an upward import (a type-only one too), an import between two folders of
 * one layer and a folder with no place in the layers each fail the check, and a downward import passes.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './kit/temp-dirs.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');
const tempDir = tempDirs('vigil-layers-');

/** Runs the project's layer check on `files` (paths under src/ → source) and returns its exit code and report. */
async function layers(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const args = [
    '--import',
    join(repo, 'scripts/typescript-api.mjs'),
    join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'),
    '--config',
    join(repo, '.dependency-cruiser.cjs'),
    'src',
  ];
  try {
    const { stdout } = await run(process.execPath, args, { cwd: dir, timeout: 30_000 });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('layer rules', { timeout: 60_000 }, () => {
  it('a downward import passes; the same import upward fails, naming the rule and both files', async () => {
    const down = await layers({
      'src/net/http.ts': 'export const get = 1;\n',
      'src/runtime/runner.ts': "import { get } from '../net/http.ts';\nexport const run = get;\n",
    });
    expect(down).toMatchObject({ code: 0 });
    expect(down.out).toMatch(/no dependency violations/);

    const up = await layers({
      'src/net/http.ts': "import { run } from '../runtime/runner.ts';\nexport const get = run;\n",
      'src/runtime/runner.ts': 'export const run = 1;\n',
    });
    expect(up.code).not.toBe(0);
    expect(up.out).toMatch(/layer:net.*src\/net\/http\.ts → src\/runtime\/runner\.ts/);
  });

  it.each<{ what: string; files: Record<string, string>; report: RegExp }>([
    {
      what: 'a type-only upward import',
      files: {
        'src/state/types.ts': "import type { Record } from '../runtime/records.ts';\nexport type State = Record;\n",
        'src/runtime/records.ts': 'export interface Record { id: string }\n',
      },
      report: /layer:state.*src\/state\/types\.ts → src\/runtime\/records\.ts/,
    },
    {
      what: 'an import between two folders of one layer',
      files: {
        'src/config/load.ts': "import type { State } from '../state/types.ts';\nexport type C = State;\n",
        'src/state/types.ts': 'export type State = 1;\n',
      },
      report: /layer:config.*src\/config\/load\.ts → src\/state\/types\.ts/,
    },
    {
      what: 'a folder with no place in the layers',
      files: {
        'src/gadgets/widget.ts': "import { now } from '../clock.ts';\nexport const w = now;\n",
        'src/clock.ts': 'export const now = 0;\n',
      },
      report: /layer:unlisted.*src\/gadgets\/widget\.ts/,
    },
  ])('$what fails the check', async ({ files, report }) => {
    const r = await layers(files);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(report);
  });
});
