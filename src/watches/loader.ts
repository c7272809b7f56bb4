import { readFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Logger } from 'pino';
import type { CompileEnv } from '../checks/types.ts';
import type { ErrorDetail } from '../errors.ts';
import { compileWatch, type CompiledWatch } from './compile.ts';
import { ID_PATTERN } from './schema.ts';
import { jsonSyntaxProblem } from '../json-syntax.ts';
import { addDetail, countErrors } from '../error-detail.ts';

export const DEFAULT_TENANT = '_main';

export interface WatchFileRef {
  file: string;
  tenant: string;
  id: string;
}

export type LoadResult = ({ ok: true; watch: CompiledWatch } | { ok: false; detail: ErrorDetail }) & WatchFileRef;

/**
 * Where a watch file lives says who it is: `watches/<id>.json` (tenant `_main`) or
 * `watches/<tenant>/<id>.json`. Returns null for files that are not watches (other extensions, deeper
 * folders, dot files).
 */
export function refForFile(root: string, file: string): WatchFileRef | null | { invalid: string } {
  const rel = relative(root, file).split(sep);
  const name = rel.at(-1)!;
  if (!name.endsWith('.json') || name.startsWith('.') || rel.length > 2) return null;
  const id = basename(name, '.json');
  const tenant = rel.length === 2 ? rel[0]! : DEFAULT_TENANT;
  if (!ID_PATTERN.test(id)) return { invalid: `file name '${name}': watch ids are [A-Za-z0-9_-]{1,128}` };
  if (!ID_PATTERN.test(tenant)) return { invalid: `folder '${tenant}': tenant names are [A-Za-z0-9_-]{1,128}` };
  return { file, tenant, id };
}

/**
 * Reads, parses, validates and compiles one watch file. Never throws for bad content. `sync` reads the
 * file with one blocking call: for loading many small files at once, where each promise-based read
 * costs four thread-pool round trips (open, stat, read, close), most of a large fleet's start-up.
 */
export async function loadWatchFile(
  ref: WatchFileRef,
  env: CompileEnv,
  extraCheck?: (w: CompiledWatch) => Promise<ErrorDetail | null>,
  sync = false,
): Promise<LoadResult> {
  let raw: unknown;
  let text = '';
  try {
    text = sync ? readFileSync(ref.file, 'utf8') : await readFile(ref.file, 'utf8');
    raw = JSON.parse(text);
  } catch (e) {
    const detail: ErrorDetail = {};
    addDetail(detail, '_', e instanceof SyntaxError ? jsonSyntaxProblem(text, e) : `cannot read file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    return { ok: false, detail, ...ref };
  }
  const res = compileWatch(raw, ref, env);
  if (res.ok && extraCheck) {
    const detail = await extraCheck(res.watch);
    if (detail && Object.keys(detail).length) return { ok: false, detail, ...ref };
  }
  return { ...res, ...ref };
}

/** Every watch file under `root` (one level of tenant folders). */
export async function listWatchFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isFile() && e.name.endsWith('.json')) out.push(join(root, e.name));
    else if (e.isDirectory()) {
      for (const f of await readdir(join(root, e.name), { withFileTypes: true })) {
        if (f.isFile() && f.name.endsWith('.json') && !f.name.startsWith('.')) out.push(join(root, e.name, f.name));
      }
    }
  }
  return out.sort();
}

export function describeErrors(file: string, detail: ErrorDetail): string[] {
  return Object.entries(detail).flatMap(([path, list]) => list.map((d) => `${file}: ${path}: ${d.error}`));
}

export function errorSummary(detail: ErrorDetail): string {
  const n = countErrors(detail);
  return `Watch is invalid: ${n} error${n === 1 ? '' : 's'}; see detail.`;
}

export { watchFolder } from './folder-watch.ts';

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
