import { describe, expect, it } from 'vitest';
import { httpResult } from '../../src/actions/shared/classify.ts';
import { egressConnector, type ResolveFn } from '../../src/net/connector.ts';
import { EgressPolicy } from '../../src/net/egress.ts';
import { createHttpClient, type HttpClientOptions } from '../../src/net/http.ts';
import { HttpError, type HttpClient } from '../../src/net/types.ts';
import { startPeer, type Peer } from './peers.ts';
import { captureLogger } from '../kit/log-capture.ts';
import { rejected } from '../kit/rejected.ts';
import { shutAfterEach } from '../kit/shut-after-each.ts';

const keep = shutAfterEach();

async function peer(...args: Parameters<typeof startPeer>): Promise<Peer> {
  return keep(await startPeer(...args));
}

function client(opts: Partial<HttpClientOptions> & { allow?: string[] } = {}) {
  const log = captureLogger('debug', { redact: false });
  const { allow, ...rest } = opts;
  const c: HttpClient = createHttpClient({ policy: new EgressPolicy({ allow: allow ?? [] }), logger: log.logger, ...rest });
  keep(c);
  return { c, log };
}

const rejection = (p: Promise<unknown>) => rejected(p, HttpError);

/** A resolver that maps every name to the given answers, counting calls. */
function fixedResolve(...answers: string[][]): ResolveFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string) => {
    calls.push(name);
    const a = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
}

describe('egress at the HTTP client', () => {
  it('loopback is refused by default and reachable only when allowed; the refusal is logged without the URL', async () => {
    const p = await peer((_req, res) => res.end('hi'));
    const denied = client();
    const e = await rejection(denied.c.request({ method: 'GET', url: `${p.origin}/services/T0/B0/s3cret?token=t0k3n` }));
    expect(e.kind).toBe('egress_denied');
    expect(p.connections).toBe(0);
    const line = denied.log.lines.find((l) => l.code === 'EGRESS_DENIED');
    expect(line).toMatchObject({ level: 40, host: '127.0.0.1', port: p.port });
    expect(denied.log.text()).not.toMatch(/s3cret|t0k3n|services/);
    expect(e.message).not.toMatch(/s3cret|t0k3n/);

    const allowed = client({ allow: ['127.0.0.1'] });
    expect((await allowed.c.request({ method: 'GET', url: p.origin })).body).toBe('hi');
    expect(p.connections).toBe(1);
  });

  it.each([
    (port: number) => `http://[::ffff:127.0.0.1]:${port}/`,
    (port: number) => `http://0x7f.1:${port}/`,
    (port: number) => `http://2130706433:${port}/`,
    (port: number) => `http://127.1:${port}/`,
    (port: number) => `http://0177.0.0.1:${port}/`,
    (port: number) => `http://localhost.:${port}/`,
    (port: number) => `http://localhost:${port}/`,
    (port: number) => `http://[::1]:${port}/`,
  ])('denies literal-IP and local-name tricks: %s', async (mk) => {
    const p = await peer((_req, res) => res.end());
    const { c } = client({ resolve: fixedResolve(['127.0.0.1']) });
    const e = await rejection(c.request({ method: 'GET', url: mk(p.port) }));
    expect(e.kind).toBe('egress_denied');
    expect(p.connections).toBe(0);
  });

  it('a DNS name resolving to 127.0.0.1 is denied at connect, unless the name or address is allowed', async () => {
    const p = await peer((_req, res) => res.end('internal'));
    const url = `http://jira.internal:${p.port}/`;
    const resolve = fixedResolve(['127.0.0.1']);
    const denied = client({ resolve });
    const e = await rejection(denied.c.request({ method: 'GET', url }));
    expect(e.kind).toBe('egress_denied');
    expect(e.message).toContain('loopback');
    expect(resolve.calls).toEqual(['jira.internal']);
    expect(p.connections).toBe(0);
    expect(denied.log.lines.find((l) => l.code === 'EGRESS_DENIED')).toMatchObject({ host: 'jira.internal' });

    for (const allow of [['jira.internal'], [`jira.internal:${p.port}`], ['*.internal'], ['127.0.0.0/8']]) {
      const ok = client({ resolve: fixedResolve(['127.0.0.1']), allow });
      expect((await ok.c.request({ method: 'GET', url })).body).toBe('internal');
    }
    const wrongPort = client({ resolve: fixedResolve(['127.0.0.1']), allow: ['jira.internal:1'] });
    expect((await rejection(wrongPort.c.request({ method: 'GET', url }))).kind).toBe('egress_denied');
  });

  it('DNS rebinding: public at validation, 127.0.0.1 at connect → refused at connect', async () => {
    const p = await peer((_req, res) => res.end());
    const resolve = fixedResolve(['93.184.215.14'], ['127.0.0.1']);
    const policy = new EgressPolicy();
    // Validation time (e.g. when the watch is saved): the name looks public.
    const first = await resolve('rebind.test');
    expect(first.every((a) => policy.checkAddress(a.address, 'rebind.test').allowed)).toBe(true);
    // Connect time: the answer changed; the check runs on the address actually connected to.
    const { c, log } = client({ resolve });
    const e = await rejection(c.request({ method: 'GET', url: `http://rebind.test:${p.port}/` }));
    expect(e.kind).toBe('egress_denied');
    expect(resolve.calls).toHaveLength(2);
    expect(p.connections).toBe(0);
    expect(log.lines.some((l) => l.code === 'EGRESS_DENIED')).toBe(true);
  });

  it('every resolved address is judged: one private address among public ones denies the name', async () => {
    const p = await peer((_req, res) => res.end());
    const { c } = client({ resolve: fixedResolve(['93.184.215.14', '127.0.0.1']) });
    expect((await rejection(c.request({ method: 'GET', url: `http://mixed.test:${p.port}/` }))).kind).toBe('egress_denied');
    expect(p.connections).toBe(0);
  });

  it('connects to the validated address, not a fresh resolution', async () => {
    const p = await peer((_req, res) => res.end('ok'));
    // Allowed for 127.0.0.1 only; the second answer (127.0.0.2) would be denied if anything re-resolved.
    const resolve = fixedResolve(['127.0.0.1'], ['127.0.0.2']);
    const { c } = client({ resolve, allow: ['127.0.0.1'] });
    expect((await c.request({ method: 'GET', url: `http://app.test:${p.port}/` })).body).toBe('ok');
    expect(resolve.calls).toHaveLength(1);
  });

  it('302 to the metadata address (stand-in 127.0.0.2) is returned, not followed: no connection there', async () => {
    const metadata = await peer((_req, res) => res.end('credentials'), { host: '127.0.0.2' });
    const target = `http://127.0.0.2:${metadata.port}/latest/meta-data/iam/security-credentials/role`;
    const p = await peer((_req, res) => res.writeHead(302, { location: target }).end());
    // Even with the stand-in allowed, redirects are never followed.
    for (const allow of [['127.0.0.1'], ['127.0.0.1', '127.0.0.2']]) {
      const { c } = client({ allow });
      const res = await c.request({ method: 'POST', url: `${p.origin}/hook`, body: '{}' });
      expect(res.status).toBe(302);
      const r = httpResult(res, Date.now());
      expect(r).toMatchObject({ ok: false, retry: false, code: 'HTTP_3XX' });
      expect(r.ok === false && r.message).toContain('redirect_not_followed');
      expect(r.ok === false && r.message).not.toContain('security-credentials');
    }
    expect(metadata.connections).toBe(0);
  });

  it('the connector itself refuses a denied literal address (not only the pre-check)', async () => {
    const p = await peer((_req, res) => res.end());
    const { log } = client();
    const connect = egressConnector({ policy: new EgressPolicy(), resolve: fixedResolve(['127.0.0.1']), logger: log.logger }, { timeout: 1000 });
    const err = await new Promise<Error | null>((resolve) =>
      connect({ hostname: '::ffff:127.0.0.1', protocol: 'http:', port: String(p.port) }, (...args) => resolve(args[0])),
    );
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).kind).toBe('egress_denied');
    expect(p.connections).toBe(0);
  });

  it('a proxy is subject to the policy too', async () => {
    const p = await peer((_req, res) => res.end());
    const { c } = client({ allow: ['8.8.8.8'] });
    const e = await rejection(c.request({ method: 'GET', url: 'http://8.8.8.8/', proxy: `http://127.0.0.1:${p.port}` }));
    expect(e.kind).toBe('egress_denied');
    expect(p.connections).toBe(0);
  });
});
