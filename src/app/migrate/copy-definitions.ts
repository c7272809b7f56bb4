/**
 * Watch definitions (their text byte for byte, so their versions stay, and so does who saved them,
 * `_vigil.saved_by`) and the sealed documents of the accounts store (accounts, stored proxies and
 * trust stores, as they are: the same key ring opens them, and their AAD names the document, not where
 * it is kept), with the key-check record: the target's record gains the source's kids, so a daemon with
 * another master key refuses the migrated accounts as it refused them before.
 */
import type { Logger } from 'pino';
import { VigilError } from '../../errors.ts';
import { AccountFileError, isObject, isStoredId, nullProto } from '../../accounts/store.ts';
import type { AccountDocStore } from '../../accounts/doc-store.ts';
import type { Counts } from './counts.ts';
import type { Definition, Side } from './sides.ts';

export async function copyDefinitions(defs: Definition[], dst: Side, counts: Counts, dryRun: boolean, logger: Logger): Promise<void> {
  const c = counts.watches;
  for (const d of defs) {
    const there = await dst.definition(d.ref);
    if (there === d.text) c.present++;
    else if (there !== undefined) {
      c.differ++;
      logger.warn({ tenant: d.ref.tenant, watch: d.ref.id }, 'watch not copied: the target defines it differently (left as the target has it)');
    } else {
      if (!dryRun) await dst.putDefinition(d);
      c.copied++;
    }
  }
}

export async function copyAccounts(src: AccountDocStore, dst: AccountDocStore, counts: Counts, dryRun: boolean, logger: Logger): Promise<void> {
  const c = counts.accounts;
  for (const type of await src.listTypes()) {
    // Every kind's ids: a stored proxy's (`host:port`) is no account id.
    for (const id of await src.listIds(type, isStoredId)) {
      const doc = await readOrSkip(src, type, id, logger);
      if (doc === null) {
        c.skipped++;
        continue;
      }
      if (doc === undefined) continue;
      let there: unknown;
      try {
        there = await dst.read(type, id);
      } catch (e) {
        if (!(e instanceof AccountFileError)) throw e;
        there = null;
      }
      if (there === undefined) {
        try {
          // Only if absent: one created meanwhile (by a daemon) is the target's.
          if (!dryRun) await dst.write(type, id, doc, null);
          c.copied++;
        } catch (e) {
          if (!isConflict(e)) throw e;
          c.present++;
        }
      } else if (JSON.stringify(there) === JSON.stringify(doc)) c.present++;
      else {
        c.differ++;
        logger.warn({ accountType: type, account: id }, 'account not copied: the target holds another version of it (left as the target has it)');
      }
    }
  }
  await mergeKeyCheck(src, dst, counts, dryRun);
}

/** The target's key-check record gains each kid the source's records and it lacks (its canary as it is). */
async function mergeKeyCheck(src: AccountDocStore, dst: AccountDocStore, counts: Counts, dryRun: boolean): Promise<void> {
  const from = await src.keyCheck.read();
  if (!isKeyCheck(from)) return;
  const to = await dst.keyCheck.read();
  const merged = isKeyCheck(to) ? to : { version: 1, kids: nullProto() };
  let added = false;
  for (const [kid, entry] of Object.entries(from.kids)) {
    if (Object.hasOwn(merged.kids, kid)) counts.key_check.present++;
    else {
      merged.kids[kid] = entry;
      counts.key_check.copied++;
      added = true;
    }
  }
  if (added && !dryRun) await dst.keyCheck.write(merged);
}

function isKeyCheck(v: unknown): v is { version: 1; kids: Record<string, unknown> } {
  return isObject(v) && v.version === 1 && isObject(v.kids);
}

/** The document, undefined when it went meanwhile, null when it cannot be used (logged; never its content). */
async function readOrSkip(s: AccountDocStore, type: string, id: string, logger: Logger) {
  try {
    return await s.read(type, id);
  } catch (e) {
    if (!(e instanceof AccountFileError)) throw e;
    logger.warn({ accountType: type, account: id, reason: e.reason }, 'account not copied: it cannot be used where it is (PUT it again after the migration)');
    return null;
  }
}

function isConflict(e: unknown): boolean {
  return e instanceof VigilError && e.code === 'CONFLICT';
}
