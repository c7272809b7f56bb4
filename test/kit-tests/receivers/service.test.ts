import { request as httpRequest } from 'node:http';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFormStrict, startService, xmlText, type ServiceStandIn } from '../../kit/receivers/service.ts';
import { FakeClock } from '../../kit/fake-clock.ts';

let svc: ServiceStandIn | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

describe('stand-in service plumbing', () => {
  it('records raw bytes, raw header lines, path and query as sent, at the injected time', async () => {
    const clock = new FakeClock('2025-01-02T03:04:05Z');
    svc = await startService(async (r) => ({ status: 200, body: { len: r.raw.length } }), { clock });
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    // node:http sends the request target exactly as given (fetch and undici resolve dot segments).
    const u = new URL(svc.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path: '/a%20b/./c?x=1&x=2', headers: { 'X-Dup': ['a', 'b'] } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(answer)).toEqual({ len: 4 });
    const r = svc.requests[0]!;
    expect(r.raw.equals(body)).toBe(true);
    expect([r.path, r.query, r.at]).toEqual(['/a%20b/./c', 'x=1&x=2', clock.now()]);
    expect(r.rawHeaders).toEqual(expect.arrayContaining(['X-Dup', 'a', 'X-Dup', 'b']));
  });

  it('answers queued faults in order before the handler, hangs on demand, and turns a handler error into a 500', async () => {
    let calls = 0;
    svc = await startService((r) => {
      calls++;
      if (r.path === '/boom') throw new Error('stand-in bug');
      return { status: 204 };
    });
    svc.fault({ status: 503, body: 'busy', headers: { 'retry-after': '3' } }, { hang: true });
    const first = await request(svc.url);
    expect([first.statusCode, first.headers['retry-after'], await first.body.text()]).toEqual([503, '3', 'busy']);
    const abort = new AbortController();
    const hung = request(svc.url, { signal: abort.signal });
    while (svc.requests.length < 2) await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await expect(hung).rejects.toThrow(/abort/i);
    expect((await request(svc.url)).statusCode).toBe(204);
    expect(calls).toBe(1);
    const boom = await request(`${svc.url}/boom`);
    expect([boom.statusCode, await boom.body.text()]).toEqual([500, 'stand-in error: stand-in bug']);
  });

  it('cuts off bodies over the size limit with 413 before the handler runs', async () => {
    let calls = 0;
    svc = await startService(() => ({ status: 200, body: String(++calls) }), { maxBodyBytes: 10 });
    expect((await request(svc.url, { method: 'POST', body: 'x'.repeat(11) })).statusCode).toBe(413);
    expect((await request(svc.url, { method: 'POST', body: 'x'.repeat(10) })).statusCode).toBe(200);
    expect(calls).toBe(1);
  });
});

describe('strict form decoding', () => {
  it('decodes percent escapes, + as space and UTF-8', () => {
    expect(parseFormStrict('A=1&Message=caf%C3%A9+%26+more%3D&Empty=')).toEqual({
      ok: true,
      params: new Map([['A', '1'], ['Message', 'café & more='], ['Empty', '']]),
    });
  });

  it('refuses what an encoding bug produces', () => {
    for (const body of ['A=1&B', 'A=50%', 'A=%zz', 'A=%C3%28', 'A=a b', 'A=\u00e9', 'A=1&A=2', '=v', 'A=x#y']) {
      expect(parseFormStrict(body).ok, body).toBe(false);
    }
  });

  it('escapes XML text and replaces characters XML 1.0 cannot carry', () => {
    expect(xmlText(`<a href="x">&'\u0001\u0009`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD\u0009');
  });
});
