import { readFile } from 'node:fs/promises';
import type { ErrorDetail } from '../errors.ts';
import { compileWatch, type CompiledWatch, type WatchCompileEnv } from './compile.ts';
import { jsonSyntaxProblem } from '../json-syntax.ts';
import { addDetail, countErrors } from '../error-detail.ts';
import type { WatchFileRef } from './file-names.ts';
import type { WatchRef } from './repository.ts';

export type LoadResult = { ok: true; watch: CompiledWatch } | { ok: false; detail: ErrorDetail };

/** Load-time checks beyond the format (e.g. that referenced accounts exist); problems by field path, or null. */
export type ExtraCheck = (w: CompiledWatch) => Promise<ErrorDetail | null>;

/** Parses a definition's JSON text; a syntax error is reported at `_` with its position. */
export function parseSource(text: string): { ok: true; value: unknown } | { ok: false; detail: ErrorDetail } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const detail: ErrorDetail = {};
    addDetail(detail, '_', jsonSyntaxProblem(text, e as Error));
    return { ok: false, detail };
  }
}

/**
 * Parses, validates and compiles one watch definition's text, then runs `extraCheck` on it. Never
 * throws for bad content.
 */
export async function compileSource(text: string, ref: WatchRef, env: WatchCompileEnv, extraCheck?: ExtraCheck): Promise<LoadResult> {
  const parsed = parseSource(text);
  if (!parsed.ok) return parsed;
  const res = compileWatch(parsed.value, ref, env);
  if (res.ok && extraCheck) {
    const detail = await extraCheck(res.watch);
    if (detail && Object.keys(detail).length) return { ok: false, detail };
  }
  return res;
}

/** Reads and compiles one watch file (`vigil validate`); a file that cannot be read is reported at `_`. */
export async function loadWatchFile(ref: WatchFileRef, env: WatchCompileEnv, extraCheck?: ExtraCheck): Promise<LoadResult & WatchFileRef> {
  let text: string;
  try {
    text = await readFile(ref.file, 'utf8');
  } catch (e) {
    const detail: ErrorDetail = {};
    addDetail(detail, '_', `cannot read file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    return { ok: false, detail, ...ref };
  }
  return { ...(await compileSource(text, ref, env, extraCheck)), ...ref };
}

export function describeErrors(file: string, detail: ErrorDetail): string[] {
  return Object.entries(detail).flatMap(([path, list]) => list.map((d) => `${file}: ${path}: ${d.error}`));
}

export function errorSummary(detail: ErrorDetail): string {
  const n = countErrors(detail);
  return `Watch is invalid: ${n} error${n === 1 ? '' : 's'}; see detail.`;
}
