/**
 * `api.trust_proxy`: X-Forwarded-For decides the client address (for the login limits and the audit
 * log) only when the connection comes from a configured proxy. The settings of `api.auth_failures`
 * reach the login guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { VigilError } from '../../src/errors.ts';
import { loginLimits } from '../../src/security/provider.ts';
import { QuickHasher } from '../kit/gated-hasher.ts';
import { FakeClock } from '../kit/fake-clock.ts';
import { bearer, startHarness, type Harness } from './harness.ts';

const ACCOUNT = '/_vigil/security/account';

function configError(api: unknown): VigilError {
  try {
    loadConfig({ env: {}, overrides: { api } as never });
  } catch (e) {
    return e as VigilError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('accepts addresses, CIDRs and range names; trusts nobody by default', () => {
    expect(loadConfig({ env: {} }).api.trust_proxy).toEqual([]);
    const list = ['10.0.0.0/8', '192.0.2.1', '::1', 'fd00::/8', 'loopback', 'uniquelocal'];
    expect(loadConfig({ env: {}, overrides: { api: { trust_proxy: list } } }).api.trust_proxy).toEqual(list);
  });

  it('refuses anything else, naming the entry', () => {
    const e = configError({ trust_proxy: ['10.0.0.0/8', '10.0.0.0/33', 'proxy.example.com', '::1/129', '1.2.3.4/8/9', '', '*'] });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(Object.keys(e.detail!).sort()).toEqual(['api.trust_proxy[1]', 'api.trust_proxy[2]', 'api.trust_proxy[3]', 'api.trust_proxy[4]', 'api.trust_proxy[5]', 'api.trust_proxy[6]']);
    expect(Object.keys(configError({ trust_proxy: '10.0.0.0/8' }).detail!)).toEqual(['api.trust_proxy']);
  });

  it('api.auth_failures reaches the login guard; unknown keys are refused with their path', () => {
    const c = loadConfig({ env: {}, overrides: { api: { auth_failures: { user_address: { allowed_tries: 3, block_ms: 300_000 }, max_concurrent_hashes_per_user: 1 } } } });
    expect(loginLimits(c.api.auth_failures)).toEqual({
      userAddress: { maxFailures: 3, windowMs: 60_000, blockMs: 300_000 },
      address: { maxFailures: 20, windowMs: 60_000, blockMs: 60_000 },
      addressRequests: { maxFailures: 100, windowMs: 60_000, blockMs: 60_000 },
      maxKeys: 100_000,
      maxHashesPerUser: 1,
      maxHashesPerAddress: 4,
    });
    expect(Object.keys(configError({ auth_failures: { address: { tries: 3 } } }).detail!)).toEqual(['api.auth_failures.address.tries']);
  });
});

/** The address the audit log recorded for the last failed request. */
async function lastFailedAddress(h: Harness): Promise<string> {
  return (await h.security.auditLog.query({ size: 1 })).hits[0]!.address;
}

describe('without trusted proxies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock: new FakeClock(), hasher: new QuickHasher(), limiter: { addressRequests: { maxFailures: 3 } } });
  });
  afterAll(() => h?.close());

  it('ignores X-Forwarded-For: a client cannot pick the address it is limited and audited by', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer('vgl_bad'), 'x-forwarded-for': `198.51.100.${i}` }, remoteAddress: '192.0.2.9' });
      statuses.push(res.statusCode);
      if (i === 0) expect(await lastFailedAddress(h)).toBe('192.0.2.9');
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

describe('with trusted proxies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock: new FakeClock(), hasher: new QuickHasher(), trustProxy: ['10.0.0.0/8'], limiter: { addressRequests: { maxFailures: 3 } } });
  });
  afterAll(() => h?.close());

  const viaProxy = (xff: string, peer = '10.1.2.3') => h.call({ method: 'GET', url: ACCOUNT, headers: { authorization: bearer('vgl_bad'), 'x-forwarded-for': xff }, remoteAddress: peer });

  it('takes the client address from a trusted proxy: clients behind one proxy are limited apart', async () => {
    for (let i = 0; i < 3; i++) expect((await viaProxy('203.0.113.1')).statusCode).toBe(401);
    expect(await lastFailedAddress(h)).toBe('203.0.113.1');
    expect((await viaProxy('203.0.113.1')).statusCode).toBe(429);
    expect((await viaProxy('203.0.113.2')).statusCode).toBe(401);
    expect(await lastFailedAddress(h)).toBe('203.0.113.2');
  });

  it('believes the chain only up to the first address that is not a trusted proxy', async () => {
    // The client wrote a fake first hop; the proxy appended the real peer it saw.
    expect((await viaProxy('203.0.113.1, 203.0.113.3')).statusCode).toBe(401);
    expect(await lastFailedAddress(h)).toBe('203.0.113.3');
  });

  it('ignores the header from a peer that is not a trusted proxy', async () => {
    expect((await viaProxy('203.0.113.4', '192.0.2.50')).statusCode).toBe(401);
    expect(await lastFailedAddress(h)).toBe('192.0.2.50');
  });
});
