/**
 * The key-check record: `<accounts dir>/.keycheck.json` holds, per kid that protects stored secrets, a
 * canary sealed under that key's `canary` subkey with AAD `["vigil-canary", kid]`. It lives in the
 * accounts directory (not in the state store) so that it travels with the sealed files it vouches for:
 * copy or restore the accounts directory and the check still applies.
 *
 * At start every recorded kid must be in the key ring and open its canary; otherwise the daemon stops
 * with CONFIG_INVALID before any account is read. Keys new to the ring (a key added for rotation) are
 * recorded. A kid leaves the record only through `retireKid`, once no field uses it.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import type { KeyRing } from './keyring.ts';
import { openBytes, sealBytes } from './seal.ts';
import { isObject, nullProto, parseJson } from './store.ts';
import { writeFileAtomic } from '../fs/atomic.ts';

export const KEYCHECK_FILE = '.keycheck.json';
const CANARY = 'vigil-canary-v1';

interface KeyCheckDoc {
  version: 1;
  kids: Record<string, { canary: string; added_at: string }>;
}

const canaryAad = (kid: string) => JSON.stringify(['vigil-canary', kid]);

function mismatch(detail: string): VigilError {
  return new VigilError('CONFIG_INVALID', `master key does not match the key ring (${detail})`);
}

async function readRecord(dir: string): Promise<KeyCheckDoc | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, KEYCHECK_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch {
    throw new VigilError('CONFIG_INVALID', `${KEYCHECK_FILE} in the accounts directory is not valid JSON`);
  }
  if (!isObject(doc) || doc.version !== 1 || !isObject(doc.kids)) {
    throw new VigilError('CONFIG_INVALID', `${KEYCHECK_FILE} in the accounts directory has an unknown format`);
  }
  return doc as unknown as KeyCheckDoc;
}

async function writeRecord(dir: string, doc: KeyCheckDoc): Promise<void> {
  await writeFileAtomic(dir, KEYCHECK_FILE, `${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * Verifies the ring against the record (creating or extending it). `usedKids` is consulted only when no
 * record exists yet (first start, or a directory from before the record): kids used by stored envelopes
 * must then be in the ring.
 */
export async function verifyKeyRing(
  dir: string,
  ring: KeyRing,
  clock: Clock,
  usedKids: () => Promise<Set<string>>,
): Promise<void> {
  const configured = ring.list().map((k) => k.kid).join(', ');
  let doc = await readRecord(dir);
  if (!doc) {
    for (const kid of await usedKids()) {
      if (!ring.has(kid)) throw mismatch(`kid ${kid} seals stored secrets but is not configured; configured: ${configured}`);
    }
    doc = { version: 1, kids: nullProto() as KeyCheckDoc['kids'] };
  }
  for (const [kid, entry] of Object.entries(doc.kids)) {
    if (!ring.has(kid)) throw mismatch(`kid ${kid} seals stored secrets but is not configured; configured: ${configured}`);
    if (!isObject(entry) || typeof entry.canary !== 'string' || openBytes(ring, kid, 'canary', canaryAad(kid), entry.canary) !== CANARY) {
      throw mismatch(`kid ${kid}: the configured key does not open its canary`);
    }
  }
  let changed = false;
  for (const { kid } of ring.list()) {
    if (Object.hasOwn(doc.kids, kid)) continue;
    doc.kids[kid] = { canary: sealBytes(ring, kid, 'canary', canaryAad(kid), CANARY), added_at: new Date(clock.now()).toISOString() };
    changed = true;
  }
  if (changed) await writeRecord(dir, doc);
}

/** Kids in the record (those the directory's secrets may depend on). */
export async function recordedKids(dir: string): Promise<string[]> {
  return Object.keys((await readRecord(dir))?.kids ?? {}).sort();
}

/** Drops `kid` from the record, so the key may then be removed from the ring. Callers check usage first. */
export async function forgetKid(dir: string, kid: string): Promise<boolean> {
  const doc = await readRecord(dir);
  if (!doc || !Object.hasOwn(doc.kids, kid)) return false;
  delete doc.kids[kid];
  await writeRecord(dir, doc);
  return true;
}
