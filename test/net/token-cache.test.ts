/**
 * The token cache's shared fetch: concurrent callers share one request, each caller's abort ends only
 * its own wait, and the request itself is aborted only when every caller waiting for it gave up.
 */
import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../src/net/token-cache.ts';
import { ClientCredentialsTokens } from '../../src/net/oauth.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/net/types.ts';
import { FakeClock } from '../kit/fake-clock.ts';

interface Token {
  token: string;
  expiresAt: number;
}

/** A fetch the test answers by hand, recording the signal it was given. */
function gatedFetch() {
  const calls: Array<{ signal: AbortSignal; resolve: (t: Token) => void }> = [];
  const fetch = (signal: AbortSignal) =>
    new Promise<Token>((resolve, reject) => {
      calls.push({ signal, resolve });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { calls, fetch };
}

const now = () => 1_000;
const token = (t: string): Token => ({ token: t, expiresAt: 3_600_000 });

describe('TokenCache', () => {
  it('shares one fetch; a caller that gives up leaves it running for the others', async () => {
    const cache = new TokenCache<Token>();
    const f = gatedFetch();
    const first = new AbortController();
    const a = cache.get('k', now, f.fetch, first.signal);
    const b = cache.get('k', now, f.fetch, new AbortController().signal);
    expect(f.calls).toHaveLength(1);
    first.abort(new Error('first caller timed out'));
    await expect(a).rejects.toThrow('first caller timed out');
    expect(f.calls[0]!.signal.aborted).toBe(false);
    f.calls[0]!.resolve(token('t1'));
    await expect(b).resolves.toEqual(token('t1'));
    // Cached for the next caller: no second request.
    await expect(cache.get('k', now, f.fetch)).resolves.toEqual(token('t1'));
    expect(f.calls).toHaveLength(1);
  });

  it('aborts the fetch once every waiter gave up, and the next caller starts a fresh one', async () => {
    const cache = new TokenCache<Token>();
    const f = gatedFetch();
    const one = new AbortController();
    const two = new AbortController();
    const a = cache.get('k', now, f.fetch, one.signal);
    const b = cache.get('k', now, f.fetch, two.signal);
    one.abort(new Error('gone'));
    await expect(a).rejects.toThrow('gone');
    expect(f.calls[0]!.signal.aborted).toBe(false);
    two.abort(new Error('gone too'));
    await expect(b).rejects.toThrow('gone too');
    expect(f.calls[0]!.signal.aborted).toBe(true);
    const c = cache.get('k', now, f.fetch);
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.resolve(token('t2'));
    await expect(c).resolves.toEqual(token('t2'));
  });

  it('a caller already aborted does not start a fetch; a failed fetch is not cached', async () => {
    const cache = new TokenCache<Token>();
    const f = gatedFetch();
    await expect(cache.get('k', now, f.fetch, AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
    expect(f.calls).toHaveLength(0);
    await expect(cache.get('k', now, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const d = cache.get('k', now, f.fetch);
    f.calls[0]!.resolve(token('t3'));
    await expect(d).resolves.toEqual(token('t3'));
  });
});

describe('ClientCredentialsTokens', () => {
  it("one delivery's deadline does not fail the token request another delivery shares", async () => {
    const requests: Array<{ req: HttpRequest; answer: (r: HttpResponse) => void }> = [];
    const http: HttpClient = {
      request: (req) =>
        new Promise((resolve, reject) => {
          requests.push({ req, answer: resolve });
          req.signal?.addEventListener('abort', () => reject(req.signal!.reason), { once: true });
        }),
      close: async () => {},
    };
    const tokens = new ClientCredentialsTokens();
    const cc = { tokenUrl: 'https://login.example/t/oauth2/v2.0/token', clientId: 'c', clientSecret: 's', scope: 'x/.default' };
    const clock = new FakeClock(0);
    const first = new AbortController();
    const a = tokens.get(cc, { http, clock, signal: first.signal });
    const b = tokens.get(cc, { http, clock, signal: new AbortController().signal });
    await Promise.resolve();
    expect(requests).toHaveLength(1);
    first.abort(new Error('first delivery timed out'));
    await expect(a).rejects.toThrow('first delivery timed out');
    requests[0]!.answer({ status: 200, headers: {}, body: JSON.stringify({ access_token: 'tok', expires_in: 3600 }), truncated: false });
    await expect(b).resolves.toMatchObject({ token: 'tok' });
  });
});
