import { readdirSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/**
 * Watches the folder for changes and reports each touched watch file once after `debounceMs` of quiet
 * (editors write a file in several steps).
 *
 * Watch files live at most one folder deep (`<root>/<id>.json`, `<root>/<tenant>/<id>.json`), so this
 * uses one NON-recursive fs.watch on the root and one per tenant folder. Node's recursive fs.watch on
 * Linux is implemented in JavaScript and does work proportional to the whole tree on every event (with
 * thousands of files, each edit blocks the loop for tens of milliseconds); inotify on a single folder
 * costs the same whatever its size.
 */
export function watchFolder(root: string, debounceMs: number, onFile: (file: string) => void, logger: Logger): { close(): void } {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const tenants = new Map<string, FSWatcher>();
  let closed = false;

  const touched = (file: string) => {
    clearTimeout(timers.get(file));
    timers.set(file, setTimeout(() => (timers.delete(file), onFile(file)), debounceMs));
  };

  const watchTenant = (dir: string, announceFiles: boolean) => {
    if (closed || tenants.has(dir)) return;
    let w: FSWatcher;
    try {
      w = fsWatch(dir, { persistent: false }, (_event, name) => name && touched(join(dir, name.toString())));
    } catch (e) {
      logger.warn({ err: (e as Error).message, dir }, 'cannot watch a tenant folder; changes need a reload (SIGHUP)');
      return;
    }
    // The folder was removed or became unreadable: forget it (a new one of that name is watched again).
    w.on('error', () => (w.close(), tenants.delete(dir)));
    tenants.set(dir, w);
    // A folder moved in whole: its files were never announced one by one.
    if (announceFiles) {
      void readdir(dir).then(
        (names) => names.filter((n) => n.endsWith('.json')).forEach((n) => touched(join(dir, n))),
        () => undefined,
      );
    }
  };

  /** A name changed in the root: a watch file, or a tenant folder appearing or going away. */
  const rootEvent = (name: string) => {
    const path = join(root, name);
    if (name.endsWith('.json')) return touched(path);
    if (name.startsWith('.')) return;
    void stat(path).then(
      (s) => s.isDirectory() && watchTenant(path, true),
      () => {
        const w = tenants.get(path);
        if (w) (w.close(), tenants.delete(path));
      },
    );
  };

  let watcher: FSWatcher;
  try {
    watcher = fsWatch(root, { persistent: false }, (_event, name) => name && rootEvent(name.toString()));
  } catch (e) {
    logger.warn({ err: (e as Error).message, root }, 'cannot watch the watches folder; changes need a reload (SIGHUP)');
    return { close() {} };
  }
  watcher.on('error', (e) => logger.warn({ err: e.message }, 'watches folder watcher failed'));
  // Synchronously, so a file written into an existing tenant folder right after this returns is seen.
  try {
    for (const e of readdirSync(root, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) watchTenant(join(root, e.name), false);
  } catch (e) {
    logger.warn({ err: (e as Error).message, root }, 'cannot list the watches folder');
  }
  return {
    close() {
      closed = true;
      watcher.close();
      for (const w of tenants.values()) w.close();
      tenants.clear();
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}
