/**
 * The key-check record: per kid that protects stored secrets, a canary sealed under that key's
 * `canary` subkey with AAD `["vigil-canary", kid]`. It is kept with the sealed documents it vouches for
 * (`.keycheck.json` in the accounts folder, or a record of the accounts index on the cluster), so that
 * a copy or a restore of the accounts carries the check with it.
 *
 * At start every recorded kid must be in the key ring and open its canary; otherwise the daemon stops
 * with CONFIG_INVALID before any account is read. Keys new to the ring (a key added for rotation) are
 * recorded. A kid leaves the record only through `retireKid`, once no field uses it.
 */
import type { Clock } from '../clock.ts';
import { VigilError } from '../errors.ts';
import type { StoreRecord } from './doc-store.ts';
import type { KeyRing } from './keyring.ts';
import { openBytes, sealBytes } from './seal.ts';
import { isObject, nullProto } from './store.ts';

export { KEYCHECK_FILE } from './store.ts';
const CANARY = 'vigil-canary-v1';

interface KeyCheckDoc {
  version: 1;
  kids: Record<string, { canary: string; added_at: string }>;
}

const canaryAad = (kid: string) => JSON.stringify(['vigil-canary', kid]);

function mismatch(detail: string): VigilError {
  return new VigilError('CONFIG_INVALID', `master key does not match the key ring (${detail})`);
}

async function readRecord(record: StoreRecord): Promise<KeyCheckDoc | undefined> {
  const doc = await record.read();
  if (doc === undefined) return undefined;
  if (!isObject(doc) || doc.version !== 1 || !isObject(doc.kids)) {
    throw new VigilError('CONFIG_INVALID', `${record.where} has an unknown format`);
  }
  return doc as unknown as KeyCheckDoc;
}

export async function verifyKeyRing(
  record: StoreRecord,
  ring: KeyRing,
  clock: Clock,
  usedKids: () => Promise<Set<string>>,
): Promise<void> {
  const configured = ring.list().map((k) => k.kid).join(', ');
  let doc = await readRecord(record);
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
  if (changed) await record.write(doc);
}

/** Kids in the record (those the directory's secrets may depend on). */
export async function recordedKids(record: StoreRecord): Promise<string[]> {
  return Object.keys((await readRecord(record))?.kids ?? {}).sort();
}

/** Drops `kid` from the record, so the key may then be removed from the ring. Callers check usage first. */
export async function forgetKid(record: StoreRecord, kid: string): Promise<boolean> {
  const doc = await readRecord(record);
  if (!doc || !Object.hasOwn(doc.kids, kid)) return false;
  delete doc.kids[kid];
  await record.write(doc);
  return true;
}
