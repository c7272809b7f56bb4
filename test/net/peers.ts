/**
 * Test peers for the HTTP client: real node:http(s) servers on loopback addresses, OS-chosen ports,
 * counting the TCP connections they accept (the proof that a denied request never connected).
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface Peer {
  port: number;
  host: string;
  /** `http://host:port` (or https). */
  origin: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** Sockets currently open. */
  open: Set<Socket>;
  /** Resolves when the next accepted socket closes. */
  nextClose(): Promise<void>;
  close(): Promise<void>;
}

export async function startPeer(
  handler: http.RequestListener,
  opts: { host?: string; tls?: https.ServerOptions } = {},
): Promise<Peer> {
  const host = opts.host ?? '127.0.0.1';
  const server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  const closeWaiters: Array<() => void> = [];
  const peer: Peer = {
    port: 0,
    host,
    origin: '',
    connections: 0,
    open: new Set(),
    nextClose: () => new Promise((r) => closeWaiters.push(r)),
    close: async () => {
      for (const s of peer.open) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  // Counted at TCP accept ('connection'), before any TLS: a denied request must not even get here.
  server.on('connection', (s: Socket) => {
    peer.connections++;
    peer.open.add(s);
    s.on('close', () => {
      peer.open.delete(s);
      closeWaiters.splice(0).forEach((r) => r());
    });
  });
  server.listen(0, host);
  await once(server, 'listening');
  peer.port = (server.address() as AddressInfo).port;
  peer.origin = `${opts.tls ? 'https' : 'http'}://${host}:${peer.port}`;
  return peer;
}
