/** Request limits: slowloris against a real listening server, oversized and deeply nested bodies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAdminHarness, startHarness, type AdminHarness, type Harness } from './harness.ts';

function get(port: number, path: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }));
    }).on('error', reject).end();
  });
}

describe('slowloris', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ headersTimeoutMs: 1_000 });
    await h.api.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h?.close());

  it('closes 50 sockets that dribble header bytes, while a normal client is answered fast', async () => {
    const port = (h.api.server.address() as AddressInfo).port;
    const sockets: Socket[] = [];
    const closed: Array<Promise<number>> = [];
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      sockets.push(s);
      closed.push(new Promise((resolve) => s.on('close', () => resolve(performance.now() - t0))));
      s.write('GET /_vigil/health HTTP/1.1\r\nHost: x\r\n');
    }
    // Keep dribbling one header byte per socket every 100 ms: never completing the headers.
    const drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write('X');
    }, 100);
    const during: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await get(port, '/_vigil/health');
      expect(r.status).toBe(200);
      during.push(r.ms);
    }
    const closedAt = await Promise.all(closed);
    clearInterval(drip);
    // Node enforces headersTimeout on its connection sweep (the server lowers the sweep interval to a
    // quarter of the timeout): closed between 1 s and a few seconds, never 30 s later.
    console.log(`slowloris: sockets closed after ${Math.min(...closedAt).toFixed(0)}–${Math.max(...closedAt).toFixed(0)} ms; normal GETs ${during.map((d) => d.toFixed(1)).join(', ')} ms`);
    expect(Math.max(...closedAt)).toBeLessThan(6_000);
    expect(Math.min(...closedAt)).toBeGreaterThanOrEqual(900);
    during.sort((a, b) => a - b);
    expect(during[during.length - 1]).toBeLessThan(500);
  });
});

describe('requests the HTTP parser refuses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.api.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h?.close());

  /** Sends `raw` on a new connection and reads everything the server writes until it closes. */
  function rawExchange(raw: string): Promise<string> {
    const port = (h.api.server.address() as AddressInfo).port;
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('error', reject);
      s.on('close', () => resolve(got));
      s.write(raw);
    });
  }

  it("answers a URL over the header limit, and bytes that are not HTTP, in the API's error shape", async () => {
    const long = await rawExchange(`GET /_signals/watch/_main/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(long).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(long.slice(long.indexOf('\r\n\r\n') + 4))).toEqual({ status: 431, error: expect.stringContaining('shorten the URL'), code: 'PAYLOAD_TOO_LARGE' });
    const junk = await rawExchange('NOT HTTP AT ALL\r\n\r\n');
    expect(junk).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(junk.slice(junk.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });
});

describe('bodies', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness({ bodyLimit: 64 * 1024 });
  });
  afterAll(() => h?.close());

  it('answers 413 for a body over the limit', async () => {
    const big = JSON.stringify({ description: 'x'.repeat(100 * 1024) });
    for (const url of ['/_vigil/security/roles/big', '/_signals/account/slack/big', '/_signals/watch/_main/big']) {
      const res = await h.call({ method: 'PUT', url, headers: { ...h.admin, 'content-type': 'application/json' }, payload: big });
      expect(res.statusCode, url).toBe(413);
    }
  });

  it('answers 400 for JSON nested 10 000 deep, without a stack overflow', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const deepObj = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    for (const [url, payload] of [['/_vigil/security/roles/deep', deepObj], ['/_vigil/security/internalusers', deep], ['/_signals/account/slack/deep', deepObj]] as const) {
      const method = url.endsWith('internalusers') ? 'PATCH' : 'PUT';
      const res = await h.call({ method, url, headers: { ...h.admin, 'content-type': 'application/json' }, payload });
      expect(res.statusCode, url).toBe(400);
    }
    expect(h.security.directory.role('deep')).toBeUndefined();
  });
});
