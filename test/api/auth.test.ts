/** Authentication: Basic with the login cache, tokens, password change (the login limits: login-limits.test.ts). */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { FakeClock } from '../kit/fake-clock.ts';
import { basic, bearer, startHarness, type Harness } from './harness.ts';

const PW = 'correct horse battery';
const ACCOUNT = '/_vigil/security/account';

describe('Basic auth, login cache and tokens', () => {
  let h: Harness;
  const clock = new FakeClock();
  beforeAll(async () => {
    h = await startHarness({ clock });
    await h.security.users.putUser('kirk', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());

  it('accepts the right password and remembers it (no second Argon2id check)', async () => {
    const verify = vi.spyOn(h.security.hasher, 'verify');
    const r1 = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', PW) } });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ user_name: 'kirk', roles: ['viewer'], authenticated_by: 'basic', permissions: ['watch:read'] });
    expect(r1.body).not.toMatch(/argon2/);
    const r2 = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', PW) } });
    expect(r2.statusCode).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
    // A wrong password is never answered from the cache.
    const r3 = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', `${PW}x`) } });
    expect(r3.statusCode).toBe(401);
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();
  });

  it('refuses missing, malformed and unknown-scheme credentials with 401', async () => {
    expect((await h.call({ method: 'GET', url: ACCOUNT })).statusCode).toBe(401);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: 'Basic !!!' } })).statusCode).toBe(401);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: 'Digest x' } })).statusCode).toBe(401);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer('vgl_nope') } })).statusCode).toBe(401);
  });

  it('a refused request answers UNAUTHORIZED, saying nothing of why', async () => {
    const wrong = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', `${PW}x`) } });
    const unknown = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('nobody', PW) } });
    expect(wrong.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('issues a token once, stores only its keyed hash, and accepts it as Bearer until it expires', async () => {
    const res = await h.call({ method: 'POST', url: '/_vigil/security/tokens', headers: { authorization: basic('kirk', PW) }, payload: { name: 'ci', expires_in: '1h' } });
    expect(res.statusCode).toBe(201);
    const { token, id, expires_at } = res.json() as { token: string; id: string; expires_at: string };
    expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(expires_at).toBe(new Date(clock.now() + 3_600_000).toISOString());
    const me = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer(token) } });
    expect(me.json()).toMatchObject({ user_name: 'kirk', authenticated_by: 'token' });
    const list = await h.call({ method: 'GET', url: '/_vigil/security/tokens', headers: { authorization: bearer(token) } });
    expect(list.json().tokens).toEqual([expect.objectContaining({ id, name: 'ci', user: 'kirk', last_used_at: expect.any(String) })]);
    expect(list.body).not.toContain(token);
    // The table as it is on disk, read beside the daemon (the app shows only the StateStore interface).
    const db = new DatabaseSync(join(h.app.config.data_dir, 'vigil.db'), { readOnly: true });
    const rows = db.prepare('SELECT * FROM security_tokens').all();
    db.close();
    expect(JSON.stringify(rows, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64url') : v))).not.toContain(token.slice(4));
    await clock.advance(3_600_001);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer(token) } })).statusCode).toBe(401);
  });

  it('a revoked token stops working; another user cannot revoke it', async () => {
    const mine = await h.tokenFor('kirk', ['viewer']);
    const other = await h.tokenFor('mallory', ['viewer']);
    const id = (await h.call({ method: 'GET', url: '/_vigil/security/tokens', headers: { authorization: bearer(mine) } })).json().tokens.at(-1).id as string;
    expect((await h.call({ method: 'DELETE', url: `/_vigil/security/tokens/${id}`, headers: { authorization: bearer(other) } })).statusCode).toBe(404);
    expect((await h.call({ method: 'DELETE', url: `/_vigil/security/tokens/${id}`, headers: { authorization: bearer(mine) } })).statusCode).toBe(200);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer(mine) } })).statusCode).toBe(401);
  });

  it('never writes the state database with a password or token in clear', () => {
    const db = readFileSync(join(h.app.config.data_dir, 'vigil.db'));
    expect(db.includes(Buffer.from(PW))).toBe(false);
  });
});

describe('own password change', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.security.users.putUser('kirk', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());

  it('needs the current password; afterwards only the new one works', async () => {
    const auth = { authorization: basic('kirk', PW) };
    const wrong = await h.call({ method: 'PUT', url: ACCOUNT, headers: auth, payload: { current_password: 'nope-nope', password: 'new password 1' } });
    expect(wrong.statusCode).toBe(403);
    const short = await h.call({ method: 'PUT', url: ACCOUNT, headers: auth, payload: { current_password: PW, password: 'short' } });
    expect(short.statusCode).toBe(400);
    const ok = await h.call({ method: 'PUT', url: ACCOUNT, headers: auth, payload: { current_password: PW, password: 'new password 1' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'OK', message: "'kirk' updated." });
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: auth })).statusCode).toBe(401);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', 'new password 1') } })).statusCode).toBe(200);
    const audit = (await h.security.auditLog.query({ user: 'kirk' })).hits;
    expect(audit.some((e) => e.method === 'PUT' && e.path === ACCOUNT && e.outcome === 'SUCCESS' && e.status === 200)).toBe(true);
    for (const s of [PW, 'new password 1']) expect(h.logs.join('\n') + JSON.stringify(audit)).not.toContain(s);
  });
});
