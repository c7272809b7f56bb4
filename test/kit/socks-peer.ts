/**
 * A real SOCKS5 server on 127.0.0.1 (the `socksv5` package), with or without user/password auth,
 * recording every CONNECT target and every authentication attempt.
 */
import type net from 'node:net';
import { once } from 'node:events';
import socks from 'socksv5';

export interface SocksPeerOptions {
  /** Credentials the proxy requires; omit for no authentication. */
  auth?: { user: string; pass: string };
}

export interface SocksPeer {
  host: '127.0.0.1';
  port: number;
  /** `host:port` of every CONNECT the proxy accepted. */
  connects: string[];
  /** Every authentication attempt: the user name and whether it succeeded (never the password). */
  authAttempts: Array<{ user: string; ok: boolean }>;
  close(): Promise<void>;
}

export async function startSocksPeer(o: SocksPeerOptions = {}): Promise<SocksPeer> {
  const connects: string[] = [];
  const authAttempts: Array<{ user: string; ok: boolean }> = [];
  const server = socks.createServer((info, accept) => {
    connects.push(`${info.dstAddr}:${info.dstPort}`);
    accept();
  });
  if (o.auth) {
    const want = o.auth;
    const handler = socks.auth.UserPassword((user, password, cb) => {
      const ok = user === want.user && password === want.pass;
      authAttempts.push({ user, ok });
      cb(ok);
    }) as socks.AuthHandler & { server(socket: net.Socket, cb: (result: unknown) => void): void };
    // socksv5 reports a refused login through util.isError, which Node 24 no longer has: end the
    // socket here instead (what socksv5 does next anyway), after the failure reply was written.
    const serve = handler.server.bind(handler);
    handler.server = (socket: net.Socket, cb: (result: unknown) => void) =>
      serve(socket, (result) => (result === true ? cb(true) : socket.end()));
    server.useAuth(handler);
  } else {
    server.useAuth(socks.auth.None());
  }
  const sockets = new Set<net.Socket>();
  server._srv.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    host: '127.0.0.1',
    port: server.address().port,
    connects,
    authAttempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
