import { describe, expect, it } from 'vitest';
import { FakeClock } from '../kit/fake-clock.ts';
import { httpResult } from '../../src/actions/shared/classify.ts';
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

function client(opts: Partial<HttpClientOptions> = {}): HttpClient {
  const c = createHttpClient({ policy: new EgressPolicy({ allow: ['127.0.0.1'] }), logger: captureLogger('debug', { redact: false }).logger, ...opts });
  keep(c);
  return c;
}

const rejection = (p: Promise<unknown>) => rejected(p, HttpError);

describe('createHttpClient: requests and responses', () => {
  it('sends method, headers and body; returns status, headers and body', async () => {
    let seen: { method?: string; url?: string; header?: string; body?: string } = {};
    const p = await peer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, header: req.headers['x-test'] as string, body };
        res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] }).end('{"ok":true}');
      });
    });
    const res = await client().request({ method: 'post', url: `${p.origin}/hook/x?q=1`, headers: { 'x-test': 'yes' }, body: 'hello' });
    expect(seen).toEqual({ method: 'POST', url: '/hook/x?q=1', header: 'yes', body: 'hello' });
    expect(res).toMatchObject({ status: 201, body: '{"ok":true}', truncated: false });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-multi']).toBe('a, b');
  });

  it('resolves (does not reject) for every status, and the one classifier reads them', async () => {
    const p = await peer((req, res) => {
      const status = Number(req.url!.slice(1));
      const headers: Record<string, string> = {};
      if (status === 429) headers['retry-after'] = '7';
      if (status === 503) headers['retry-after'] = new Date(Date.now() + 30_000).toUTCString();
      res.writeHead(status, headers).end();
    });
    const c = client();
    const table: Array<[number, boolean, string]> = [
      [200, false, 'ok'],
      [204, false, 'ok'],
      [400, false, 'HTTP_4XX'],
      [401, false, 'HTTP_4XX'],
      [403, false, 'HTTP_4XX'],
      [404, false, 'HTTP_4XX'],
      [410, false, 'HTTP_4XX'],
      [408, true, 'HTTP_408'],
      [429, true, 'HTTP_429'],
      [500, true, 'HTTP_5XX'],
      [502, true, 'HTTP_5XX'],
      [503, true, 'HTTP_5XX'],
      [504, true, 'HTTP_5XX'],
    ];
    for (const [status, retry, code] of table) {
      const res = await c.request({ method: 'GET', url: `${p.origin}/${status}` });
      expect(res.status).toBe(status);
      const r = httpResult(res, Date.now());
      if (code === 'ok') expect(r.ok).toBe(true);
      else expect(r).toMatchObject({ ok: false, retry, code });
    }
    const r429 = httpResult(await c.request({ method: 'GET', url: `${p.origin}/429` }), Date.now());
    expect(r429.ok === false && r429.retryAfterMs).toBe(7000);
    const r503 = httpResult(await c.request({ method: 'GET', url: `${p.origin}/503` }), Date.now());
    // HTTP-date has 1 s resolution.
    expect(r503.ok === false && r503.retryAfterMs).toBeGreaterThan(28_000);
    expect(r503.ok === false && r503.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('reuses one keep-alive connection for 10 sequential requests', async () => {
    const p = await peer((_req, res) => res.end('x'));
    const c = client();
    for (let i = 0; i < 10; i++) expect((await c.request({ method: 'GET', url: `${p.origin}/${i}` })).body).toBe('x');
    expect(p.connections).toBe(1);
  });

  it('sends URL userinfo as Basic auth unless Authorization is set', async () => {
    const auths: Array<string | undefined> = [];
    const p = await peer((req, res) => {
      auths.push(req.headers.authorization);
      res.end();
    });
    const c = client();
    await c.request({ method: 'GET', url: `http://al%40ice:p%3Ass@127.0.0.1:${p.port}/` });
    await c.request({ method: 'GET', url: `http://alice:pass@127.0.0.1:${p.port}/`, headers: { Authorization: 'Bearer t' } });
    expect(auths).toEqual([`Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`, 'Bearer t']);
  });

  it('rejects unusable requests as invalid_request', async () => {
    const c = client();
    expect((await rejection(c.request({ method: 'GET', url: 'not a url' }))).kind).toBe('invalid_request');
    expect((await rejection(c.request({ method: 'GET', url: 'file:///etc/passwd' }))).kind).toBe('invalid_request');
    const p = await peer((_req, res) => res.end());
    const bad = await rejection(c.request({ method: 'GET', url: p.origin, headers: { 'x-a': 'v\r\nInjected: 1' } }));
    expect(bad.kind).toBe('invalid_request');
    expect(p.connections).toBe(0);
  });
});

describe('createHttpClient: timeouts and abort', () => {
  it('headers never come → read timeout, and the connection is closed', async () => {
    const p = await peer(() => {
      /* never answers */
    });
    const closed = new Promise<void>((r) => setImmediate(() => p.nextClose().then(r)));
    const e = await rejection(client().request({ method: 'GET', url: p.origin, readTimeoutMs: 150 }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('read timeout');
    await closed;
    expect(p.open.size).toBe(0);
  });

  it('hangs after the headers → read (body) timeout', async () => {
    const p = await peer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const e = await rejection(client().request({ method: 'GET', url: p.origin, readTimeoutMs: 150 }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('body');
  });

  it('a trickling body hits the total timeout (driven by the injected clock)', async () => {
    const clock = new FakeClock(0, 0);
    let streaming!: () => void;
    const started = new Promise<void>((r) => (streaming = r));
    const p = await peer((_req, res) => {
      res.writeHead(200);
      let n = 0;
      const t = setInterval(() => {
        res.write('a');
        if (++n === 3) streaming();
      }, 10);
      res.on('close', () => clearInterval(t));
    });
    const c = client({ clock });
    const pending = c.request({ method: 'GET', url: p.origin, totalTimeoutMs: 1234 });
    // The body is trickling, well within the read timeout; now the total timer fires.
    await started;
    expect(clock.delays).toEqual([1234]);
    // Handled before the timer fires: advancing the clock lets the rejection happen at once.
    const failed = rejection(pending);
    await clock.advance(1234);
    const e = await failed;
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('total timeout of 1234 ms');
  });

  it('an injected resolver that never answers ends in a connect timeout', async () => {
    const c = client({ resolve: () => new Promise(() => {}), policy: new EgressPolicy() });
    const e = await rejection(c.request({ method: 'GET', url: 'http://hangs.test/', connectTimeoutMs: 100 }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('connect timeout');
  });

  it('the caller signal aborts the request', async () => {
    const p = await peer(() => {});
    const ac = new AbortController();
    const pending = client().request({ method: 'GET', url: p.origin, signal: ac.signal });
    while (p.connections === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    expect((await rejection(pending)).kind).toBe('aborted');
    const again = await rejection(client().request({ method: 'GET', url: p.origin, signal: ac.signal }));
    expect(again.kind).toBe('aborted');
  });

  it('connection refused → connect', async () => {
    const p = await peer((_q, s) => s.end());
    const port = p.port;
    await p.close();
    const e = await rejection(client().request({ method: 'GET', url: `http://127.0.0.1:${port}/` }));
    expect(e.kind).toBe('connect');
    expect(e.message).toContain('ECONNREFUSED');
  });
});

describe('createHttpClient: response cap', () => {
  it('cuts a 10 MB body at 1 MiB, destroys the connection, keeps RSS bounded', async () => {
    const TEN_MB = 10 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    let servingSocketClosed!: (writtenThen: number) => void;
    const socketClosed = new Promise<number>((r) => (servingSocketClosed = r));
    const p = await peer((req, res) => {
      req.socket.once('close', () => servingSocketClosed(written));
      res.writeHead(200, { 'content-length': String(TEN_MB) });
      const pump = () => {
        while (written < TEN_MB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const before = process.memoryUsage().rss;
    const res = await client().request({ method: 'GET', url: p.origin });
    const rise = process.memoryUsage().rss - before;
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(1024 * 1024);
    // The connection that carried the body is destroyed long before the server could finish writing.
    // (undici may open a fresh idle connection to the origin afterwards; that one carries nothing.)
    expect(await socketClosed).toBeLessThan(TEN_MB);
    expect(rise).toBeLessThan(16 * 1024 * 1024);
  });

  it('an endless stream is cut at a custom cap; a body exactly at the cap is not truncated', async () => {
    const p = await peer((req, res) => {
      if (req.url === '/exact') return void res.end('0123456789');
      res.writeHead(200);
      const t = setInterval(() => res.write('y'.repeat(1000)), 1);
      res.on('close', () => clearInterval(t));
    });
    const c = client();
    const closed = p.nextClose();
    const endless = await c.request({ method: 'GET', url: `${p.origin}/`, maxResponseBytes: 2500 });
    expect(endless).toMatchObject({ truncated: true, body: 'y'.repeat(2500) });
    await closed;
    const exact = await c.request({ method: 'GET', url: `${p.origin}/exact`, maxResponseBytes: 10 });
    expect(exact).toMatchObject({ truncated: false, body: '0123456789' });
  });
});
