/**
 * An HTTP proxy that accepts the connection and never answers the CONNECT: the request still ends when
 * its caller aborts it, the tunnel attempt is bounded by the connect timeout, and closing the client
 * (the daemon's shutdown) tears the tunnel down instead of waiting for the proxy.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EgressPolicy } from '../../src/net/egress.ts';
import { createHttpClient } from '../../src/net/http.ts';
import { HttpError, type HttpClient } from '../../src/net/types.ts';
import { captureLogger } from '../kit/log-capture.ts';

interface MuteProxy {
  url: string;
  /** Sockets accepted so far, and whether each has closed. */
  sockets: Array<{ socket: Socket; closed: boolean; data: string }>;
  close(): Promise<void>;
}

async function muteProxy(): Promise<MuteProxy> {
  const sockets: MuteProxy['sockets'] = [];
  const server: Server = createServer((socket) => {
    const rec = { socket, closed: false, data: '' };
    sockets.push(rec);
    socket.on('data', (d) => (rec.data += d.toString('latin1')));
    socket.on('close', () => (rec.closed = true));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    sockets,
    close: async () => {
      sockets.forEach((s) => s.socket.destroy());
      await new Promise((r) => server.close(r));
    },
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const proxy = await muteProxy();
  cleanup.push(() => proxy.close());
  const c: HttpClient = createHttpClient({ policy: new EgressPolicy({ allow: ['127.0.0.1'] }), logger: captureLogger('debug', { redact: false }).logger });
  let closed = false;
  cleanup.push(async () => void (closed || (await c.close())));
  return { proxy, c, close: async () => ((closed = true), c.close()) };
}

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cond();
};

async function settleWithin<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; timedOut?: true }> {
  return Promise.race([
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<{ timedOut: true }>((r) => setTimeout(() => r({ timedOut: true }), ms)),
  ]);
}

describe('a proxy that never answers the CONNECT', () => {
  it('an aborted request ends at once, and closing the client tears the tunnel attempt down', async () => {
    const { proxy, c, close } = await setup();
    const ac = new AbortController();
    const req = c.request({ method: 'POST', url: 'http://127.0.0.1:9/hook', body: 'x', proxy: proxy.url, signal: ac.signal, totalTimeoutMs: 60_000 });
    expect(await until(() => proxy.sockets[0]?.data.startsWith('CONNECT 127.0.0.1:9') ?? false)).toBe(true);
    ac.abort();
    const res = await settleWithin(req, 1_000);
    expect(res.error).toBeInstanceOf(HttpError);
    expect((res.error as HttpError).kind).toBe('aborted');

    const t0 = performance.now();
    expect(await settleWithin(close(), 2_000)).toEqual({ value: undefined });
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(await until(() => proxy.sockets[0]!.closed, 1_000)).toBe(true);
  });

  it('the tunnel counts as connecting: it fails after the connect timeout, not the proxy client default of 5 minutes', async () => {
    const { proxy, c } = await setup();
    const t0 = performance.now();
    const res = await settleWithin(c.request({ method: 'POST', url: 'http://127.0.0.1:9/hook', body: 'x', proxy: proxy.url, connectTimeoutMs: 300, totalTimeoutMs: 60_000 }), 5_000);
    expect(res.timedOut).toBeUndefined();
    expect(res.error).toBeInstanceOf(HttpError);
    expect(['timeout', 'connect']).toContain((res.error as HttpError).kind);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(proxy.sockets).toHaveLength(1);
  });
});
