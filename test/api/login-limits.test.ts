/**
 * Login limits through real requests: guesses counted when admitted, hashes capped per user and per
 * address, the same answer for a right or a wrong password once refused, no lockout of a user from
 * everywhere nor of a valid token, and failed requests summed in the audit log instead of a row each.
 * Hashes are held with a gate (no timing); blocks and windows run on the fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { PasswordHasher } from '../../src/security/passwords.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { GatedHasher, QuickHasher } from '../kit/gated-hasher.ts';
import { basic, bearer, startHarness, type Harness } from './harness.ts';

const PW = 'correct horse battery';
const ACCOUNT = '/_vigil/security/account';

/** Starts all requests at once; resolves with every answer that does not wait on the gate once `n` of them are in. */
function fire(calls: Array<Promise<LightMyRequestResponse>>, n: number): Promise<Map<number, LightMyRequestResponse>> {
  const done = new Map<number, LightMyRequestResponse>();
  return new Promise((resolve, reject) => {
    calls.forEach((c, i) =>
      c.then((r) => {
        done.set(i, r);
        if (done.size === n) resolve(done);
      }, reject),
    );
  });
}

/** What a client can observe of an answer besides its timing. */
const observable = (r: LightMyRequestResponse) => ({ status: r.statusCode, body: r.body, retryAfter: r.headers['retry-after'] });

const LIMITS = { userAddress: { maxFailures: 5 }, address: { maxFailures: 100 }, maxHashesPerUser: 2, maxHashesPerAddress: 4 };

/** Forty parallel guesses for kirk from one address, the right password the 21st. */
async function fortyParallel(h: Harness, gate: GatedHasher): Promise<void> {
  gate.hold();
  const passwords = Array.from({ length: 40 }, (_, i) => (i === 20 ? PW : `wrong-${i}`));
  const calls = passwords.map((pw) => h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', pw) }, remoteAddress: '10.0.0.1' }));
  const refused = await fire(calls, 38);
  await gate.arrived(2);
  expect(gate.verified).toHaveLength(2);
  expect(gate.atGate).toBe(2);
  // Every refused guess, the right password among them, reads the same.
  const seen = new Set([...refused.values()].map((r) => JSON.stringify(observable(r))));
  expect(seen.size).toBe(1);
  const one = [...refused.values()][0]!;
  expect(one.statusCode).toBe(429);
  expect(one.json().code).toBe('TOO_MANY_REQUESTS');
  expect(Number(one.headers['retry-after'])).toBeGreaterThan(0);
  // Requests reach the guard in the order they were sent: the first two are hashed, the right one is not.
  expect(gate.verified).toEqual(['wrong-0', 'wrong-1']);
  expect(refused.has(20)).toBe(true);
  gate.open();
  const all = await Promise.all(calls);
  for (const [i, r] of all.entries()) if (!refused.has(i)) expect(r.statusCode).toBe(passwords[i] === PW ? 200 : 401);
  expect(gate.maxInFlight).toBe(2);
}

describe('with the Argon2id pool', () => {
  let h: Harness;
  const gate = new GatedHasher(new PasswordHasher());
  beforeAll(async () => {
    h = await startHarness({ clock: new FakeClock(), hasher: gate, limiter: LIMITS });
    await h.security.users.putUser('kirk', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());

  it('forty parallel guesses for one user: two hashes run, the rest are refused alike without hashing, the right password included', () => fortyParallel(h, gate));
});

describe('guesses are counted when admitted, and hashes are capped', () => {
  let h: Harness;
  const clock = new FakeClock();
  const gate = new GatedHasher(new QuickHasher());
  beforeAll(async () => {
    h = await startHarness({ clock, hasher: gate, limiter: LIMITS });
    await h.security.users.putUser('kirk', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());

  it('forty parallel guesses for one user (a quick hasher)', () => fortyParallel(h, gate));

  it('sequential wrong guesses end in a block at the allowance, counting the ones already made', async () => {
    const before = gate.verified.length;
    const wrongSoFar = gate.verified.filter((p) => p !== PW).length;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', `again-${i}`) }, remoteAddress: '10.0.0.1' })).statusCode);
    }
    const hashed = gate.verified.length - before;
    expect(hashed).toBe(5 - wrongSoFar);
    expect(statuses).toEqual([...Array(hashed).fill(401), ...Array(8 - hashed).fill(429)]);
  });

  it('a blocked pair answers the same, at once, for the right and a wrong password (login cache included)', async () => {
    const before = gate.verified.length;
    const right = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', PW) }, remoteAddress: '10.0.0.1' });
    const wrong = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', 'nope-nope') }, remoteAddress: '10.0.0.1' });
    expect(observable(right)).toEqual(observable(wrong));
    expect(right.statusCode).toBe(429);
    expect(gate.verified.length).toBe(before);
    // From another address the same user signs in: a guesser does not lock the user out everywhere.
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', PW) }, remoteAddress: '10.0.0.2' })).statusCode).toBe(200);
    // Now the right password is in the login cache; the blocked pair still gets the same 429, not a cached 200.
    const cached = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', PW) }, remoteAddress: '10.0.0.1' });
    expect(observable(cached)).toEqual(observable(await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', 'nope-nope') }, remoteAddress: '10.0.0.1' })));
    await clock.advance(60_000);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', PW) }, remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
  });

  it('the same credentials sent in parallel share one hash', async () => {
    await h.security.users.putUser('sulu', { password: PW, roles: ['viewer'] });
    gate.hold();
    const before = gate.verified.length;
    const calls = Array.from({ length: 10 }, () => h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('sulu', PW) }, remoteAddress: '10.0.0.3' }));
    await gate.arrived(before + 1);
    gate.open();
    expect((await Promise.all(calls)).map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(gate.verified.length - before).toBe(1);
  });

  it('caps hashes per address across user names', async () => {
    gate.hold();
    const before = gate.verified.length;
    const calls = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((u) => h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic(u, 'guess-guess') }, remoteAddress: '10.0.0.4' }));
    const refused = await fire(calls, 2);
    await gate.arrived(before + 4);
    expect([...refused.values()].map((r) => r.statusCode)).toEqual([429, 429]);
    gate.open();
    expect((await Promise.all(calls)).filter((r) => r.statusCode === 401)).toHaveLength(4);
  });
});

describe('without a tight hash cap, the allowance alone bounds parallel guesses', () => {
  let h: Harness;
  const gate = new GatedHasher(new QuickHasher());
  beforeAll(async () => {
    h = await startHarness({ clock: new FakeClock(), hasher: gate, limiter: { ...LIMITS, maxHashesPerUser: 100, maxHashesPerAddress: 100 } });
    await h.security.users.putUser('kirk', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());

  it('forty parallel guesses: five are admitted and hashed, thirty-five refused before any has failed', async () => {
    gate.hold();
    const calls = Array.from({ length: 40 }, (_, i) => h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('kirk', `wrong-${i}`) }, remoteAddress: '10.0.0.1' }));
    const refused = await fire(calls, 35);
    await gate.arrived(5);
    expect(gate.verified).toHaveLength(5);
    expect(new Set([...refused.values()].map((r) => r.statusCode))).toEqual(new Set([429]));
    gate.open();
    expect((await Promise.all(calls)).filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(h.security.guard.blocked('kirk', '10.0.0.1')).toEqual({ reason: 'blocked', limit: 'user', retryMs: 60_000 });
  });
});

describe('no lockout of everyone at an address', () => {
  let h: Harness;
  const clock = new FakeClock();
  beforeAll(async () => {
    h = await startHarness({ clock, hasher: new QuickHasher(), limiter: { userAddress: { maxFailures: 3 }, address: { maxFailures: 5 }, addressRequests: { maxFailures: 5 } } });
    await h.security.users.putUser('chekov', { password: PW, roles: ['viewer'] });
  });
  afterAll(() => h?.close());

  it('bad tokens put an address over its request limit: anonymous calls and bad tokens get 429, a valid token or password still gets in', async () => {
    const ip = '192.0.2.7';
    const admin = bearer(await h.tokenFor('root', ['admin']));
    for (const t of ['vgl_a', 'vgl_b', 'vgl_c', 'vgl_d', 'vgl_e']) {
      expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer(t) }, remoteAddress: ip })).statusCode).toBe(401);
    }
    const refused = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer('vgl_f') }, remoteAddress: ip });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect((await h.call({ method: 'GET', url: ACCOUNT, remoteAddress: ip })).statusCode).toBe(429);
    // Someone else's bad tokens do not lock a user out of a password login from the same address.
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('chekov', PW) }, remoteAddress: ip })).statusCode).toBe(200);
    const viaToken = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: admin }, remoteAddress: ip });
    expect(viaToken.statusCode).toBe(200);
    expect(viaToken.json()).toMatchObject({ user_name: 'root', authenticated_by: 'token' });
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer('vgl_x') }, remoteAddress: '192.0.2.8' })).statusCode).toBe(401);
  });

  it('spraying many user names from one address blocks that address; a token user there still gets in', async () => {
    const ip = '198.51.100.9';
    const token = bearer(await h.tokenFor('ops', ['viewer']));
    const statuses: number[] = [];
    for (const u of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      statuses.push((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic(u, 'Winter2025!') }, remoteAddress: ip })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('chekov', PW) }, remoteAddress: ip })).statusCode).toBe(429);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: token }, remoteAddress: ip })).statusCode).toBe(200);
    expect((await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: basic('chekov', PW) }, remoteAddress: '198.51.100.10' })).statusCode).toBe(200);
  });

  it('an own-password check goes through the same limits', async () => {
    await h.security.users.putUser('rand', { password: PW, roles: ['viewer'] });
    const token = bearer(await h.tokenFor('rand', ['viewer']));
    const put = (current: string) =>
      h.call({ method: 'PUT', url: ACCOUNT, headers: { authorization: token }, remoteAddress: '203.0.113.50', payload: { current_password: current, password: 'a brand new one' } });
    for (let i = 0; i < 3; i++) expect((await put(`wrong-${i}`)).statusCode).toBe(403);
    const blocked = await put(PW);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('TOO_MANY_REQUESTS');
    expect(await h.security.users.checkPassword('rand', PW)).toBe(true);
  });
});

describe('failed requests and the audit log', () => {
  let h: Harness;
  const clock = new FakeClock();
  beforeAll(async () => {
    h = await startHarness({ clock, hasher: new QuickHasher(), limiter: { addressRequests: { maxFailures: 5 }, maxKeys: 500 } });
  });
    afterAll(() => h?.close());

  const metric = async (name: string) => {
    const text = (await h.call({ method: 'GET', url: '/metrics' })).body;
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  };

  it('a flood of bad requests from one address writes a few rows and one summed row, counted in the metrics', async () => {
    const ip = '203.0.113.77';
    const rows = async () => (await h.security.auditLog.query({ size: 10_000 })).hits.filter((e) => e.address === ip);
    const kinds = [{ authorization: bearer('vgl_nope') }, {}, { authorization: basic('admin', 'pw-guess') }];
    for (let i = 0; i < 300; i++) {
      await h.call({ method: 'GET', url: ACCOUNT, headers: kinds[i % 3]!, remoteAddress: ip });
      if (i === 4) expect(h.security.guard.requestsBlockedFor(ip)).toBeGreaterThan(0);
    }
    // One row each for the failures up to the limit and for the password guesses still admitted after
    // it (until their own limit); everything refused after that is summed.
    const written = await rows();
    expect(written.length).toBeLessThanOrEqual(5 + 5);
    expect(written.every((e) => e.outcome === 'FAILED_LOGIN' && e.status === 401 && e.count === 1)).toBe(true);
    const folded = await metric('vigil_audit_failed_logins_folded_total');
    expect(folded).toBe(300 - written.length);
    expect((await h.security.auditLog.query({ size: 10_000 })).hits.filter((e) => e.count > 1)).toEqual([]);
    await clock.advance(60_000);
    const summed = (await rows()).filter((e) => e.count > 1);
    expect(summed).toEqual([expect.objectContaining({ outcome: 'FAILED_LOGIN', status: 429, user: null, count: folded })]);
    expect(await metric('vigil_auth_failures_total')).toBe(300);
  });

  it('keeps a bounded number of tracked addresses under a flood from many addresses', async () => {
    for (let i = 0; i < 800; i++) {
      await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer('vgl_flood') }, remoteAddress: `198.18.${i >> 8}.${i & 255}` });
    }
    expect(h.security.guard.requests.size).toBe(500);
    expect(h.security.guard.size).toBeLessThanOrEqual(3 * 500);
  });
});
