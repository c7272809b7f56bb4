/**
 * The file store: `accounts/<type>/<id>.json`, one account per file, each written atomically (temp file
 * in the same directory, fsync, rename, fsync the directory: a crash leaves the old or the new file,
 * never a torn one). Types and ids are validated before any path is built, so no request can name a
 * file outside the accounts directory. Parsed documents are null-prototype objects all the way down.
 */
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { fsyncDir, writeFileAtomic } from '../fs/atomic.ts';

import { join } from 'node:path';
import { VigilError } from '../errors.ts';
import type { AccountDocStore, Doc, StoreRecord } from './doc-store.ts';

export type { Doc };

const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * What the file store accepts as a document id: the account rule plus `.` and `:` after the first
 * character (stored proxies are named like `127.0.0.1:9199` in Signals). No separator, and no leading
 * dot, so an id is always one plain file name inside its kind's directory.
 */
const STORED_ID_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;
/** Names that pass the character rule but mean something to JavaScript objects (Kibana's list, plus one). */
const RESERVED_IDS = new Set(['__proto__', 'constructor', 'prototype']);
const FILE_RE = /^([A-Za-z0-9_][A-Za-z0-9_.:-]{0,127})\.json$/;
const TEMP_RE = /^\.[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}\.json\.[0-9a-f]{16}\.tmp$/;

/** True when `value` is a usable account type or id: `[A-Za-z0-9_-]{1,128}` and not a reserved name. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value) && !RESERVED_IDS.has(value);
}

/** True when `value` can name a document in the file store (see STORED_ID_RE); every account id can. */
export function isStoredId(value: unknown): value is string {
  return typeof value === 'string' && STORED_ID_RE.test(value) && !RESERVED_IDS.has(value);
}

/** Throws `INVALID_ID` for a value `isStoredId` refuses (without echoing it). */
export function assertStoredId(value: unknown): asserts value is string {
  if (!isStoredId(value)) throw new VigilError('INVALID_ID', 'invalid document id: it must match [A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}');
}

/** Throws `INVALID_ID` (without echoing the value, which may be 10 kB or hold control bytes). */
export function assertValidId(kind: 'type' | 'id', value: unknown): asserts value is string {
  if (!isValidId(value)) {
    throw new VigilError('INVALID_ID', `invalid account ${kind}: it must match [A-Za-z0-9_-]{1,128} and not be a reserved name`);
  }
}

export function nullProto(): Doc {
  return Object.create(null) as Doc;
}

export function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of JSON data in which every object has a null prototype. */
export function toNullProto<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => toNullProto(v)) as T;
  if (!isObject(value)) return value;
  const out = nullProto();
  for (const k of Object.keys(value)) out[k] = toNullProto(value[k]);
  return out as T;
}

/**
 * The path of the first object key named `__proto__`, `constructor` or `prototype`, if any. Such keys are
 * refused in account bodies outright: no account field has those names, and libraries downstream
 * (validators, HTTP clients) may treat them specially.
 */
export function findReservedKey(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findReservedKey(v, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const k of Object.keys(value)) {
      const here = path ? `${path}.${k}` : k;
      if (RESERVED_IDS.has(k)) return here;
      const found = findReservedKey(value[k], here);
      if (found) return found;
    }
  }
  return undefined;
}

/** Parses JSON into null-prototype objects. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => (isObject(v) ? Object.assign(nullProto(), v) : v));
}

/**
 * An account file (or document) that exists but cannot be used: unreadable, not JSON, or not a JSON
 * object. The reason names the problem only, never the content (a parser's message may quote it).
 */
export class AccountFileError extends VigilError {
  readonly type: string;
  readonly id: string;
  readonly reason: string;

  constructor(type: string, id: string, reason: string, unit: 'file' | 'document' = 'file') {
    super('ACCOUNT_UNUSABLE', `account ${type}/${id} is unusable: its ${unit} ${reason}; PUT the account again or DELETE it`);
    this.type = type;
    this.id = id;
    this.reason = reason;
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** The key-check record's file in the accounts folder. */
export const KEYCHECK_FILE = '.keycheck.json';

/**
 * Raw access to `<dir>/<type>/<id>.json`. Knows nothing about secrets. One process writes a folder
 * (the registry serialises writes per account), so conditional writes need no check here.
 */
export class AccountFileStore implements AccountDocStore {
  readonly dir: string;
  readonly where: string;
  readonly unit = 'file' as const;
  /** One daemon holds a folder (its data folder's lock): its own writes are the only ones. */
  readonly shared = false;
  readonly keyCheck: StoreRecord;

  constructor(dir: string) {
    this.dir = dir;
    this.where = dir;
    this.keyCheck = {
      where: `${KEYCHECK_FILE} in the accounts folder`,
      read: async () => {
        let text: string;
        try {
          text = await readFile(join(dir, KEYCHECK_FILE), 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw e;
        }
        try {
          return parseJson(text);
        } catch {
          throw new VigilError('CONFIG_INVALID', `${KEYCHECK_FILE} in the accounts directory is not valid JSON`);
        }
      },
      write: (doc) => writeFileAtomic(dir, KEYCHECK_FILE, `${JSON.stringify(doc, null, 2)}\n`),
    };
  }

  async readVersioned(type: string, id: string): Promise<{ doc: Doc; version: undefined } | undefined> {
    const doc = await this.read(type, id);
    return doc && { doc, version: undefined };
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** The stored document, or undefined when there is none. Throws AccountFileError for a file that cannot be used. */
  async read(type: string, id: string): Promise<Doc | undefined> {
    assertValidId('type', type);
    assertStoredId(id);
    let text: string;
    try {
      text = await readFile(join(this.dir, type, `${id}.json`), 'utf8');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      const code = (e as NodeJS.ErrnoException)?.code;
      throw new AccountFileError(type, id, `cannot be read${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    let doc: unknown;
    try {
      doc = parseJson(text);
    } catch {
      throw new AccountFileError(type, id, 'is not valid JSON');
    }
    if (!isObject(doc)) throw new AccountFileError(type, id, 'is not a JSON object');
    return doc;
  }

  async write(type: string, id: string, doc: Doc, _expected?: unknown): Promise<void> {
    assertValidId('type', type);
    assertStoredId(id);
    const typeDir = join(this.dir, type);
    await mkdir(typeDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(typeDir, `${id}.json`, `${JSON.stringify(doc, null, 2)}\n`);
  }

  /** Removes the file; false when there was none. */
  async remove(type: string, id: string): Promise<boolean> {
    assertValidId('type', type);
    assertStoredId(id);
    try {
      await unlink(join(this.dir, type, `${id}.json`));
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
    await fsyncDir(join(this.dir, type));
    return true;
  }

  /** Sorted ids of one type (files that are not `<id>.json` for an id `accept` takes are ignored). */
  async listIds(type: string, accept: (id: string) => boolean = isValidId): Promise<string[]> {
    assertValidId('type', type);
    let names: string[];
    try {
      names = await readdir(join(this.dir, type));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const ids: string[] = [];
    for (const n of names) {
      const m = FILE_RE.exec(n);
      if (m && isStoredId(m[1]) && accept(m[1]!)) ids.push(m[1]!);
    }
    return ids.sort();
  }

  /** Sorted names of the type directories present on disk (valid names only). */
  async listTypes(): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    return entries.filter((e) => e.isDirectory() && isValidId(e.name)).map((e) => e.name).sort();
  }

  /** Removes temp files left by a crash between create and rename; returns how many. */
  async cleanUp(types: readonly string[]): Promise<number> {
    let removed = 0;
    for (const type of types) {
      let names: string[];
      try {
        names = await readdir(join(this.dir, type));
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      for (const n of names) {
        if (TEMP_RE.test(n)) {
          await rm(join(this.dir, type, n), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
