import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/security/types.ts';
import { AuditTrail } from '../../src/security/audit.ts';
import { auditConfigSchema } from '../../src/security/audit-config.ts';
import type { AuditRecord, SecurityStore } from '../../src/state/security-types.ts';
import { silentLogger } from '../../src/log.ts';
import { AuditFolder } from '../../src/security/audit-folder.ts';
import { FakeClock } from '../kit/fake-clock.ts';

const failed = (address: string, path = '/x'): AuditEvent => ({ user: null, address, method: 'GET', path, outcome: 'FAILED_LOGIN', status: 429 });

function trail(fold = false) {
  const rows: AuditRecord[] = [];
  const store = { audit: { append: async (r: AuditRecord[]) => void rows.push(...r), query: async () => ({ total: rows.length, hits: rows }) } } as unknown as SecurityStore;
  const t = new AuditTrail({ store, clock: new FakeClock(), logger: silentLogger(), fold: () => fold });
  return { t, rows };
}
const ev = (e: Partial<AuditEvent>): AuditEvent => ({ user: 'kirk', address: '10.0.0.1', method: 'PUT', path: '/_plugins/_security/api/internalusers/x', outcome: 'SUCCESS', status: 200, ...e });

describe('AuditTrail', () => {
  it('records changes and refusals; reads of security and account routes only when AUTHENTICATED is enabled; never reads of other routes', () => {
    const { t, rows } = trail();
    t.record(ev({}));
    t.record(ev({ outcome: 'FAILED_LOGIN', user: null, status: 401 }));
    t.record(ev({ outcome: 'MISSING_PRIVILEGES', status: 403 }));
    t.record(ev({ method: 'GET', path: '/_plugins/_security/api/account' }));
    expect(rows.map((r) => r.category)).toEqual(['GRANTED_PRIVILEGES', 'FAILED_LOGIN', 'MISSING_PRIVILEGES']);
    t.config = auditConfigSchema.parse({ audit: { disabled_rest_categories: [] } });
    t.record(ev({ method: 'GET', path: '/_plugins/_security/api/account' }));
    t.record(ev({ method: 'GET', path: '/_signals/account/slack/a' }));
    t.record(ev({ method: 'GET', path: '/_signals/watch/_main/w' }));
    expect(rows.slice(3).map((r) => [r.category, r.path])).toEqual([['AUTHENTICATED', '/_plugins/_security/api/account'], ['AUTHENTICATED', '/_signals/account/slack/a']]);
  });

  it('leaves out ignored users and requests, disabled categories, and everything when disabled', () => {
    const { t, rows } = trail();
    t.config = auditConfigSchema.parse({ audit: { ignore_users: ['bot-*'], ignore_requests: ['DELETE /_signals/watch/*', '/_vigil/security/tokens'], disabled_rest_categories: ['MISSING_PRIVILEGES'] } });
    t.record(ev({ user: 'bot-ci' }));
    t.record(ev({ method: 'DELETE', path: '/_signals/watch/_main/w' }));
    t.record(ev({ method: 'POST', path: '/_vigil/security/tokens' }));
    t.record(ev({ outcome: 'MISSING_PRIVILEGES', status: 403 }));
    t.record(ev({ method: 'PUT', path: '/_signals/watch/_main/w' }));
    expect(rows.map((r) => r.path)).toEqual(['/_signals/watch/_main/w']);
    t.config = auditConfigSchema.parse({ enabled: false });
    t.record(ev({}));
    expect(rows).toHaveLength(1);
  });

  it('keeps bodies only when asked, and never a secret in them', () => {
    const { t, rows } = trail();
    t.record(ev({ body: { password: 'enterprise-1701' } }));
    expect(rows[0]!.body).toBeUndefined();
    t.config = auditConfigSchema.parse({ audit: { log_request_body: true } });
    t.record(ev({ body: { password: 'enterprise-1701', hash: '$2y$12$abc', backend_roles: ['ops'] } }));
    t.record(ev({ method: 'PATCH', path: '/_plugins/_security/api/internalusers', body: [{ op: 'replace', path: '/kirk/password', value: 'hailing-freq' }, { op: 'add', path: '/spock', value: { password: 'vulcan-vulcan', backend_roles: ['sci'] } }] }));
    t.record(ev({ route: '/_signals/account/:type/:id', path: '/_signals/account/slack/a', body: { url: 'https://hooks.slack.com/services/T0/B0/SECRETPART', channel: '#ops' } }));
    t.record(ev({ path: '/_signals/watch/_main/w', body: { actions: [{ url: 'https://user:pw@example.com/hook/abc?token=t0k' }] } }));
    t.record(ev({ route: '/_plugins/_notifications/configs/:config_id', path: '/_plugins/_notifications/configs/c', body: { config: { webhook: { header_params: { 'X-Custom': 'plainHeaderSecret' } } } } }));
    const text = rows.map((r) => r.body).join('\n');
    for (const secret of ['enterprise-1701', '$2y$12$abc', 'hailing-freq', 'vulcan-vulcan', 'SECRETPART', '#ops', 'pw@', 't0k', 'plainHeaderSecret']) expect(text).not.toContain(secret);
    expect(JSON.parse(rows[1]!.body!)).toEqual({ password: '[redacted]', hash: '[redacted]', backend_roles: ['ops'] });
    expect(JSON.parse(rows[2]!.body!)[1]).toEqual({ op: 'add', path: '/spock', value: { password: '[redacted]', backend_roles: ['sci'] } });
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
