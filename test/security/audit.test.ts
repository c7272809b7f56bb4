import { describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import type { AuditEvent } from '../../src/api/auth.ts';
import { SqliteAuditLog } from '../../src/security/audit.ts';
import { AuditFolder } from '../../src/security/audit-folder.ts';
import { FakeClock } from '../kit/fake-clock.ts';

const failed = (address: string, path = '/x'): AuditEvent => ({ user: null, address, method: 'GET', path, outcome: 'FAILED_LOGIN', status: 429 });

describe('SqliteAuditLog', () => {
  it('adds the count column to a table made without it; old rows stand for one event each', () => {
    const db = new DatabaseSync(':memory:');
    db.exec(`CREATE TABLE security_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,
      user TEXT, address TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL)`);
    db.prepare('INSERT INTO security_audit (time, user, address, method, path, outcome, status) VALUES (?, ?, ?, ?, ?, ?, ?)').run(1, 'kirk', '10.0.0.1', 'PUT', '/a', 'SUCCESS', 200);
    const log = new SqliteAuditLog(db, new FakeClock());
    log.write(failed('10.0.0.2'), 42, Date.UTC(2025, 0, 1));
    expect(log.query().hits.map((h) => [h.user, h.count])).toEqual([[null, 42], ['kirk', 1]]);
    new SqliteAuditLog(db, new FakeClock()); // opening again changes nothing
    expect(log.query().total).toBe(2);
  });
});

describe('AuditFolder', () => {
  it('sums events per client address and writes one row each after flushMs', async () => {
    const clock = new FakeClock();
    const rows: Array<[AuditEvent, number, number]> = [];
    let folded = 0;
    const f = new AuditFolder({ clock, flushMs: 10_000, write: (e, n, t) => rows.push([e, n, t]), onFold: () => folded++ });
    const t0 = clock.now();
    for (let i = 0; i < 50; i++) f.fold(failed('10.0.0.1', `/p${i}`));
    await clock.advance(1_000);
    // One IPv6 subscriber (/64) is one client.
    f.fold(failed('2001:db8::1'));
    f.fold(failed('2001:db8::2'));
    expect(rows).toHaveLength(0);
    expect(f.pending).toBe(52);
    await clock.advance(9_000);
    expect(rows.map(([e, n, t]) => [e.address, e.path, n, t])).toEqual([
      ['10.0.0.1', '/p0', 50, t0],
      ['2001:db8::1', '/x', 2, t0 + 1_000],
    ]);
    expect(folded).toBe(52);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('writes everything pending when it tracks too many addresses, and on close', () => {
    const clock = new FakeClock();
    const rows: number[] = [];
    const f = new AuditFolder({ clock, maxAddresses: 3, write: (_e, n) => rows.push(n) });
    for (let i = 0; i < 4; i++) f.fold(failed(`10.0.0.${i}`));
    expect(rows).toEqual([1, 1, 1]);
    f.fold(failed('10.0.0.3'));
    f.close();
    expect(rows).toEqual([1, 1, 1, 2]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
