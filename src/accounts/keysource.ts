/**
 * Where master keys come from: the `VIGIL_MASTER_KEY` environment variable or a key file
 * (`--key-file`). Never the config file or the REST API. Error messages name the source
 * and the position of a bad entry, never its content.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { VigilError } from '../errors.ts';
import { KeyRing, MASTER_KEY_BYTES, type KeyState } from './keyring.ts';

export const MASTER_KEY_ENV = 'VIGIL_MASTER_KEY';

export interface LoadKeyRingOptions {
  /** Path of the key file; when set it wins over the environment. */
  keyFile?: string;
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /**
   * Accept a key file readable or writable by group/others, with a warning. Default false: such a file
   * is refused, like ssh refuses a private key with loose permissions.
   */
  allowInsecureKeyFile?: boolean;
}

/** Loads the key ring from the key file if given, else from `VIGIL_MASTER_KEY`. */
export async function loadKeyRing(opts: LoadKeyRingOptions = {}): Promise<KeyRing> {
  if (opts.keyFile) return keyRingFromFile(opts.keyFile, opts);
  const value = (opts.env ?? process.env)[MASTER_KEY_ENV];
  if (value && value.trim()) return keyRingFromEnv(value);
  throw new VigilError(
    'CONFIG_INVALID',
    `no master key: set ${MASTER_KEY_ENV} or pass --key-file (create a key with \`vigil keygen\`)`,
  );
}

/** `VIGIL_MASTER_KEY`: one base64 key, or a comma-separated list whose first key is active. */
export async function keyRingFromEnv(value: string): Promise<KeyRing> {
  const parts = value.split(',').map((p) => p.trim());
  const entries = parts.map((p, i) => ({
    key: decodeKey(p, `${MASTER_KEY_ENV} entry #${i + 1}`),
    state: (i === 0 ? 'active' : 'decrypt-only') as KeyState,
  }));
  try {
    return await KeyRing.create(entries);
  } finally {
    for (const e of entries) e.key.fill(0);
  }
}

/**
 * A key file: JSON `{"keys": [{"key": "<base64>", "state": "active" | "decrypt-only"}]}`, or a single
 * bare base64 line (that key is active).
 */
export async function keyRingFromFile(path: string, opts: LoadKeyRingOptions = {}): Promise<KeyRing> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new VigilError('CONFIG_INVALID', `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if ((mode & 0o077) !== 0) {
    const msg = `key file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`;
    if (!opts.allowInsecureKeyFile) throw new VigilError('CONFIG_INVALID', msg);
    opts.logger?.warn({ keyFile: path }, msg);
  }
  const entries = parseKeyFile(text.trim(), path);
  try {
    return await KeyRing.create(entries);
  } finally {
    for (const e of entries) e.key.fill(0);
  }
}

function parseKeyFile(text: string, path: string): Array<{ key: Uint8Array; state: KeyState }> {
  if (!text.startsWith('{')) return [{ key: decodeKey(text, `key file ${path}`), state: 'active' }];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message may quote the file's content, which is key material: say nothing more.
    throw new VigilError('CONFIG_INVALID', `key file ${path} is not valid JSON`);
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new VigilError('CONFIG_INVALID', `key file ${path} must hold {"keys": [{"key": "<base64>", "state": "active"}]}`);
  }
  return keys.map((k: unknown, i) => {
    const item = (k ?? {}) as { key?: unknown; state?: unknown };
    const where = `key file ${path} keys[${i}]`;
    if (typeof item.key !== 'string') throw new VigilError('CONFIG_INVALID', `${where}.key must be a base64 string`);
    const state = item.state ?? 'decrypt-only';
    if (state !== 'active' && state !== 'decrypt-only') {
      throw new VigilError('CONFIG_INVALID', `${where}.state must be "active" or "decrypt-only"`);
    }
    return { key: decodeKey(item.key, where), state };
  });
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2})$/;

/** Strict base64 (standard or url-safe) of exactly 32 bytes. */
function decodeKey(text: string, where: string): Uint8Array {
  const bad = () => new VigilError('CONFIG_INVALID', `${where} is not a base64-encoded ${MASTER_KEY_BYTES}-byte key`);
  if (!BASE64_RE.test(text)) throw bad();
  const buf = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (buf.length !== MASTER_KEY_BYTES) {
    buf.fill(0);
    throw bad();
  }
  const key = Uint8Array.from(buf);
  buf.fill(0);
  return key;
}
