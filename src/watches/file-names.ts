/**
 * How watch files are named, both ways, in one place: `<root>/<id>.json` is a watch of the `_main`
 * tenant, `<root>/<tenant>/<id>.json` one of `<tenant>`. Other extensions, dot files and deeper folders
 * are not watches.
 */
import { readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { ID_PATTERN } from './schema.ts';
import { assertTenant, assertWatchRef, DEFAULT_TENANT, type WatchRef } from './repository.ts';

/** A watch file and the watch it holds. */
export interface WatchFileRef extends WatchRef {
  file: string;
}

/** The folder a tenant's files are in (the watches folder itself for the default tenant). Throws INVALID_ID for a tenant name outside the rules. */
export function tenantFolder(root: string, tenant: string): string {
  assertTenant(tenant);
  return tenant === DEFAULT_TENANT ? root : join(root, tenant);
}

/** The file a watch is kept in. Throws INVALID_ID for a ref outside the rules (it could name a file elsewhere). */
export function watchFilePath(root: string, ref: WatchRef): string {
  assertWatchRef(ref);
  return join(tenantFolder(root, ref.tenant), `${ref.id}.json`);
}

/**
 * Which watch a file under `root` holds: null for files that are not watches, `{invalid}` for a watch
 * file whose name or folder breaks the id rules.
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

/** Every watch file under `root` (one level of tenant folders), sorted; none when `root` does not exist. */
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
