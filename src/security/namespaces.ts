/**
 * Tenants are watch namespaces: `_main` is the watches folder itself, every other tenant a sub-folder.
 * Creating a tenant creates its folder; deleting one is refused while it holds watch files, and then
 * removes the folder only when nothing else is left in it (nothing is ever deleted but an empty folder).
 */
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MAIN_TENANT, TENANT_NAME_RE } from './roles.ts';

export class Namespaces {
  readonly #dir: string | undefined;

  constructor(watchesDir: string | undefined) {
    this.#dir = watchesDir;
  }

  #path(tenant: string): string | undefined {
    if (!this.#dir || !TENANT_NAME_RE.test(tenant)) return undefined;
    return tenant === MAIN_TENANT ? this.#dir : join(this.#dir, tenant);
  }

  /** The tenants that exist as folders (`_main` included when the watches folder exists). */
  async list(): Promise<string[]> {
    if (!this.#dir) return [];
    try {
      const entries = await readdir(this.#dir, { withFileTypes: true });
      return [MAIN_TENANT, ...entries.filter((e) => e.isDirectory() && TENANT_NAME_RE.test(e.name) && e.name !== MAIN_TENANT).map((e) => e.name)];
    } catch {
      return [];
    }
  }

  /** The watch files (`*.json`) of a tenant's folder. */
  async watchFiles(tenant: string): Promise<string[]> {
    const p = this.#path(tenant);
    if (!p) return [];
    try {
      return (await readdir(p, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name);
    } catch {
      return [];
    }
  }

  async create(tenant: string): Promise<void> {
    const p = this.#path(tenant);
    if (p) await mkdir(p, { recursive: true });
  }

  /** Removes the folder of a tenant when it is empty; leaves it otherwise. */
  async removeIfEmpty(tenant: string): Promise<void> {
    const p = this.#path(tenant);
    if (!p || tenant === MAIN_TENANT) return;
    try {
      await rmdir(p);
    } catch {
      // Not empty (files other than watches), or gone already: leave it.
    }
  }
}
