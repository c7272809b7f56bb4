/**
 * Users, roles, role mappings, action groups, tenants, API tokens (their hashes and ids), the local
 * token pepper, the security and audit configuration, and the audit log: each copied unless the target
 * has it (by name or id), so a second run copies nothing. Audit rows have no id: a row is taken as
 * present when the target holds an equal row not matched yet (equal rows are counted, not merged).
 */
import { SECURITY_DOC_KINDS, type AuditRecord, type AuditRecords, type SecurityConfigName, type SecurityStore } from '../../state/security-types.ts';
import { VigilError } from '../../errors.ts';
import { copyOne, type Counts } from './counts.ts';

/** The named secrets Vigil keeps (the token pepper used without a master key). */
const SECRETS = ['token_pepper'];
const CONFIGS: SecurityConfigName[] = ['security', 'audit'];
const AUDIT_PAGE = 10_000;

export async function copySecurity(src: SecurityStore, dst: SecurityStore, counts: Counts, dryRun: boolean, now: number): Promise<void> {
  await Promise.all((await src.users.list()).map((u) => copyOne(counts.users, dryRun, async () => (await dst.users.get(u.name)) !== undefined, () => dst.users.put(u))));
  for (const kind of SECURITY_DOC_KINDS) {
    for (const [name, value] of await src.docs.list(kind)) {
      await copyOne(counts[kind], dryRun, async () => (await dst.docs.get(kind, name)) !== undefined, () => dst.apply([{ kind, name, value } as never]));
    }
  }
  await Promise.all((await src.tokens.list()).map((t) => copyOne(counts.tokens, dryRun, async () => (await dst.tokens.get(t.id)) !== undefined, () => dst.tokens.insert(t))));
  for (const name of SECRETS) {
    const value = await src.secrets.get(name);
    if (value) await copyOne(counts.secrets, dryRun, async () => (await dst.secrets.get(name)) !== undefined, () => dst.secrets.putIfAbsent(name, value));
  }
  for (const name of CONFIGS) {
    const doc = await src.config.get(name);
    if (doc !== undefined && doc !== null) await copyOne(counts.security_config, dryRun, async () => (await dst.config.get(name)) != null, () => dst.config.put(name, doc));
  }
  await copyAudit(src.audit, dst.audit, counts, dryRun, now);
}

async function copyAudit(src: AuditRecords, dst: AuditRecords, counts: Counts, dryRun: boolean, now: number): Promise<void> {
  const there = new Map<string, number>();
  for await (const r of auditRows(dst, now)) there.set(auditKey(r), (there.get(auditKey(r)) ?? 0) + 1);
  const batch: AuditRecord[] = [];
  for await (const r of auditRows(src, now)) {
    const k = auditKey(r);
    const n = there.get(k) ?? 0;
    if (n > 0) {
      there.set(k, n - 1);
      counts.audit.present++;
      continue;
    }
    counts.audit.copied++;
    batch.push(r);
    if (batch.length >= 1000 && !dryRun) await dst.append(batch.splice(0));
  }
  if (batch.length && !dryRun) await dst.append(batch);
}

/**
 * Every audit row, window by time window: a window holding more rows than a query returns is split in
 * two, so no row is skipped or read twice whatever the store's order.
 */
async function* auditRows(s: AuditRecords, now: number): AsyncIterable<AuditRecord> {
  const windows: Array<[number, number]> = [[0, now + 86_400_000]];
  while (windows.length) {
    const [from, to] = windows.pop()!;
    const r = await s.query({ from, to, size: AUDIT_PAGE });
    if (r.total <= r.hits.length) {
      yield* r.hits;
      continue;
    }
    if (from === to) throw new VigilError('INTERNAL', `more than ${AUDIT_PAGE} audit rows at one millisecond (${new Date(from).toISOString()})`);
    const mid = Math.floor((from + to) / 2);
    windows.push([mid + 1, to], [from, mid]);
  }
}

function auditKey(r: AuditRecord): string {
  return JSON.stringify([r.time, r.user, r.address, r.method, r.path, r.outcome, r.status, r.count, r.category ?? null, r.body ?? null]);
}
