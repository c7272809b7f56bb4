/**
 * The error catalogue holds only live codes: each one is raised somewhere in src/ (a VigilError, an error
 * class's constructor, or an error response the API sends) and asserted by a test somewhere in test/.
 * A code nothing raises is a promise to users that never comes true; one no test asserts can change
 * unnoticed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../src/errors.ts';

const repo = resolve(import.meta.dirname, '..');

function sources(dir: string, exclude: readonly string[] = []): Array<{ path: string; text: string }> {
  return readdirSync(join(repo, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => !exclude.includes(p))
    .map((p) => ({ path: p.slice(repo.length + 1), text: withoutComments(readFileSync(p, 'utf8')) }));
}

/** Block comments and whole-line or trailing `//` comments go (a `//` inside a URL string stays). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** Statements (roughly: text between semicolons) that raise an error or send an error response. */
function raising(text: string): string[] {
  return text.split(';').filter((s) => /new \w*Error\(|\bsuper\(|\.send\(/.test(s));
}

/** Statements that assert something. */
function asserting(text: string): string[] {
  return text.split(';').filter((s) => /\bexpect(\.soft)?\(/.test(s));
}

const quoted = (code: string) => new RegExp(`['"\`]${code}['"\`]`);
const codes = Object.keys(ErrorCodes);

describe('error catalogue', () => {
  const src = sources('src', [join(repo, 'src/errors.ts')]);
  const tests = sources('test', [join(repo, 'test/errors-catalogue.test.ts')]);

  it.each(codes)('%s is raised somewhere in src/', (code) => {
    const where = src.filter((f) => raising(f.text).some((s) => quoted(code).test(s))).map((f) => f.path);
    expect(where, `${code} is never raised: remove it from src/errors.ts or raise it`).not.toEqual([]);
  });

  it.each(codes)('%s is asserted by a test', (code) => {
    const where = tests.filter((f) => asserting(f.text).some((s) => quoted(code).test(s))).map((f) => f.path);
    expect(where, `no test asserts ${code}`).not.toEqual([]);
  });

  it('finds a raise and an assertion it is shown, and misses a code only named in a comment', () => {
    expect(raising("const a = 1; throw new VigilError('NOT_FOUND', 'x'); const b = 2").some((s) => quoted('NOT_FOUND').test(s))).toBe(true);
    expect(raising(withoutComments("// new VigilError('NOT_FOUND')\nconst a = 1")).some((s) => quoted('NOT_FOUND').test(s))).toBe(false);
    expect(asserting("await expect(p).rejects.toMatchObject({ code: 'CONFLICT' }); x('CONFLICT')").some((s) => quoted('CONFLICT').test(s))).toBe(true);
    expect(asserting("x('CONFLICT'); expect(y).toBe(1)").some((s) => quoted('CONFLICT').test(s))).toBe(false);
  });
});
