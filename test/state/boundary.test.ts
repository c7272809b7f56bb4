/**
 * Outside src/state, Vigil sees the StateStore interface only: no module imports the SQLite store (or
 * node:sqlite), so a store kept elsewhere can replace it behind `openStateStore`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const STATE = join(SRC, 'state');
const SQLITE = [join(STATE, 'sqlite.ts'), join(STATE, 'sqlite') + sep];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier of a file: static imports and exports (type-only included) and dynamic imports. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('the state store boundary', () => {
  it('no module outside src/state imports the SQLite store or node:sqlite', () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      if (file.startsWith(STATE + sep)) continue;
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
        if (spec === 'node:sqlite' || SQLITE.some((s) => target === s || target.startsWith(s))) offenders.push(`${relative(SRC, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('sees the imports it checks (a check that finds no import proves nothing)', () => {
    expect(specifiers("import { a } from './x.ts';\nimport type { B } from '../y.ts';\nexport { c } from \"./z.ts\";\nconst m = await import('./w.ts');\nimport './side.ts';")).toEqual([
      './x.ts',
      '../y.ts',
      './z.ts',
      './w.ts',
      './side.ts',
    ]);
    const open = readFileSync(join(STATE, 'open-store.ts'), 'utf8');
    expect(specifiers(open)).toContain('./sqlite.ts');
  });
});
