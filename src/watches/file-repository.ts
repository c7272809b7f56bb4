import { readFileSync } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../fs/atomic.ts';
import { listWatchFiles, refForFile, tenantFolder, watchFilePath } from './file-names.ts';
import { watchFolder } from './folder-watch.ts';
import { sourceVersion, type Misnamed, type WatchChange, type WatchRead, type WatchRef, type WatchRepository, type WatchSource } from './repository.ts';
import { withSavedBy, type SavedBy } from './run-as.ts';

export interface FileWatchRepositoryOptions {
  /** The watches folder. */
  root: string;
  logger: Logger;
  /** Quiet time after a file's last change before it is reported (editors write in several steps). Default 100 ms. */
  debounceMs?: number;
}

/** `list()` lets the event loop run after this many files (their reads are synchronous). */
const LIST_SLICE = 64;

/** Read errors that mean "there is no such file" rather than "it cannot be read". */
const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Watches kept as JSON files in a folder, one sub-folder per tenant (see file-names.ts). Files are
 * written atomically; the folder is followed with one non-recursive watcher per folder (folder-watch.ts).
 */
export class FileWatchRepository implements WatchRepository {
  readonly #o: FileWatchRepositoryOptions;

  constructor(o: FileWatchRepositoryOptions) {
    this.#o = o;
  }

  /**
   * Small files are read with blocking calls: a promise-based read costs four thread-pool round trips
   * (open, stat, read, close), most of a large folder's load time. In slices, so a reload of
   * a running daemon lets runs proceed.
   */
  async list(): Promise<Array<WatchRead | Misnamed>> {
    const files = await listWatchFiles(this.#o.root);
    const out: Array<WatchRead | Misnamed> = [];
    for (let i = 0; i < files.length; i++) {
      const name = this.#name(files[i]!);
      if (name) out.push(name.status === 'misnamed' ? name : readWith(() => readFileSync(name.location, 'utf8'), name.ref, name.location));
      if (i % LIST_SLICE === LIST_SLICE - 1) await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  async get(ref: WatchRef): Promise<WatchRead> {
    const file = watchFilePath(this.#o.root, ref);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      return readFailure(e, ref, file);
    }
    return found(ref, file, text);
  }

  /** The saver goes into the file itself (`_vigil.saved_by`): definition and saver are written in one atomic rename. */
  async put(ref: WatchRef, definition: Record<string, unknown>, savedBy?: SavedBy | null): Promise<WatchSource> {
    return this.putText(ref, JSON.stringify(savedBy ? withSavedBy(definition, savedBy) : definition, null, 2) + '\n');
  }

  /** Stores a definition's text as it is (a copy from another repository keeps its version, and its `_vigil.saved_by`). */
  async putText(ref: WatchRef, text: string): Promise<WatchSource> {
    const file = watchFilePath(this.#o.root, ref);
    const dir = tenantFolder(this.#o.root, ref.tenant);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(dir, `${ref.id}.json`, text);
    return found(ref, file, text).source;
  }

  async delete(ref: WatchRef): Promise<boolean> {
    try {
      await unlink(watchFilePath(this.#o.root, ref));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  watch(onChange: (change: WatchChange) => void): { close(): void } {
    return watchFolder(
      this.#o.root,
      this.#o.debounceMs ?? 100,
      (file) => {
        const name = this.#name(file);
        if (name) onChange(name);
      },
      this.#o.logger,
    );
  }

  locate(ref: WatchRef): string {
    return watchFilePath(this.#o.root, ref);
  }

  #name(file: string): { status: 'changed'; ref: WatchRef; location: string } | Misnamed | null {
    const r = refForFile(this.#o.root, file);
    if (r === null) return null;
    if ('invalid' in r) return { status: 'misnamed', location: file, problem: r.invalid };
    return { status: 'changed', ref: { tenant: r.tenant, id: r.id }, location: file };
  }
}

function readWith(read: () => string, ref: WatchRef, file: string): WatchRead {
  try {
    return found(ref, file, read());
  } catch (e) {
    return readFailure(e, ref, file);
  }
}

function readFailure(e: unknown, ref: WatchRef, file: string): WatchRead {
  const code = (e as NodeJS.ErrnoException).code;
  if (code && ABSENT.has(code)) return { status: 'missing', ref, location: file };
  return { status: 'unreadable', ref, location: file, problem: `cannot read file: ${code ?? 'error'}` };
}

function found(ref: WatchRef, file: string, text: string): WatchRead & { status: 'found' } {
  let version: string | undefined;
  // The hash is taken when first asked for: loading a large folder does not pay for versions it never reads.
  const source: WatchSource = {
    ref,
    location: file,
    text,
    get version() {
      return (version ??= sourceVersion(text));
    },
  };
  return { status: 'found', ref, source };
}
