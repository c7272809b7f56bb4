/**
 * A real HTTP proxy on loopback for tests: it tunnels CONNECT requests (what undici's ProxyAgent sends,
 * for http and https targets alike), can require Basic proxy credentials (407 otherwise), and records
 * each CONNECT with the Proxy-Authorization it came with.
 */
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ProxyPeer {
  /** `http://127.0.0.1:port`, without credentials. */
  url: string;
  port: number;
  /** Every CONNECT received: its target (`host:port`) and Proxy-Authorization header. */
  connects: Array<{ target: string; auth: string | undefined }>;
  close(): Promise<void>;
}

export async function startProxyPeer(o: { user?: string; password?: string; host?: string } = {}): Promise<ProxyPeer> {
  const expected = o.user !== undefined ? `Basic ${Buffer.from(`${o.user}:${o.password ?? ''}`).toString('base64')}` : undefined;
  const connects: ProxyPeer['connects'] = [];
  const server = http.createServer((_q, s) => s.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    connects.push({ target: req.url!, auth });
    client.on('error', () => client.destroy());
    if (expected !== undefined && auth !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const at = req.url!.lastIndexOf(':');
    const up = net.connect(Number(req.url!.slice(at + 1)), req.url!.slice(0, at), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
  });
  server.listen(0, o.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    connects,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
