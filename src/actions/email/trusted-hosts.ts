/**
 * `trusted_hosts` as Signals documents it: accept a server certificate issued to one of these names,
 * whatever its issuer. That is weaker than CA validation — a man in the middle holding a self-signed
 * certificate for a trusted name is accepted too — so the transport logs a warning when it is used.
 *
 * Node verifies the chain before it calls `checkServerIdentity`, and skips that call entirely when the
 * chain is bad, so `rejectUnauthorized: false` alone would accept *any* certificate. Instead we take the
 * certificate the server presents on a short probe connection (through the same proxy, with the same
 * STARTTLS dialogue), pin it as the only trust anchor (`allowPartialTrustChain` lets a leaf be one), and
 * let `checkServerIdentity` demand that it names a trusted host. The real session then verifies normally:
 * a different certificate on the real connection fails the chain check, a pinned one that names no
 * trusted host fails the identity check. Nothing is ever accepted unverified.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Endpoint } from './account.ts';

/** Returns an Error when `cert` names none of `hosts` (SAN DNS/IP entries, or the CN when there is no SAN). */
export function checkTrustedHosts(hosts: readonly string[], cert: tls.PeerCertificate): Error | undefined {
  for (const h of hosts) {
    if (tls.checkServerIdentity(h, cert) === undefined) return undefined;
  }
  const err = new Error(`server certificate is not issued to any of trusted_hosts (${hosts.join(', ')})`) as Error & { code: string };
  err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  return err;
}

/** TLS options that accept exactly `pinnedPem` and only if it names one of `hosts`. */
export function trustedHostsTlsOptions(hosts: readonly string[], pinnedPem: string, extraCa: string[]): tls.ConnectionOptions {
  return {
    rejectUnauthorized: true,
    ca: [...extraCa, pinnedPem],
    allowPartialTrustChain: true,
    checkServerIdentity: (_host, cert) => checkTrustedHosts(hosts, cert),
  };
}

export interface ProbeOptions {
  endpoint: Endpoint;
  /** SNI name; omitted for IP literals. */
  servername?: string;
  timeoutMs: number;
  /** Opens the TCP path to the server (directly or through the SOCKS proxy). */
  connect(): Promise<net.Socket>;
}

/** Fetches the server's leaf certificate as PEM, following the account's TLS mode. */
export async function probeServerCertificate(o: ProbeOptions): Promise<string> {
  const socket = await o.connect();
  // Errors are reported through the promises below; this keeps a late one from becoming unhandled.
  socket.on('error', () => {});
  const deadline = setTimeout(() => socket.destroy(Object.assign(new Error('certificate probe timed out'), { code: 'ETIMEDOUT' })), o.timeoutMs);
  try {
    if (o.endpoint.tls === 'starttls') await startTls(socket);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket, rejectUnauthorized: false, ...(o.servername ? { servername: o.servername } : {}) }, () => resolve(s));
      s.once('error', reject);
      socket.once('close', () => reject(Object.assign(new Error('connection closed during certificate probe'), { code: 'ECONNECTION' })));
    });
    const cert = secure.getPeerCertificate(false);
    secure.destroy();
    if (!cert?.raw) throw Object.assign(new Error('server presented no certificate'), { code: 'ETLS' });
    return `-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
  } finally {
    clearTimeout(deadline);
    socket.destroy();
  }
}

/** Greeting → EHLO → STARTTLS, just enough SMTP to reach the TLS handshake. */
async function startTls(socket: net.Socket): Promise<void> {
  const replies = replyReader(socket);
  expect(await replies.next(), 220, 'greeting');
  socket.write('EHLO vigil-probe\r\n');
  const ehlo = await replies.next();
  expect(ehlo, 250, 'EHLO');
  if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l.slice(4)))) {
    throw Object.assign(new Error('server does not offer STARTTLS'), { code: 'ETLS' });
  }
  socket.write('STARTTLS\r\n');
  expect(await replies.next(), 220, 'STARTTLS');
  replies.stop();
}

function expect(r: { code: number; lines: string[] }, code: number, step: string): void {
  if (r.code !== code) {
    throw Object.assign(new Error(`${step} failed during certificate probe: ${r.lines.at(-1) ?? ''}`), { code: 'EPROTOCOL', responseCode: r.code });
  }
}

function replyReader(socket: net.Socket) {
  let buf = '';
  let lines: string[] = [];
  let waiter: ((r: { code: number; lines: string[] }) => void) | undefined;
  let failer: ((e: Error) => void) | undefined;
  const ready: Array<{ code: number; lines: string[] }> = [];
  const onData = (chunk: Buffer) => {
    buf += chunk.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        ready.push({ code: Number(line.slice(0, 3)), lines });
        lines = [];
      }
    }
    if (ready.length && waiter) waiter(ready.shift()!);
  };
  const onEnd = () => failer?.(Object.assign(new Error('connection closed during certificate probe'), { code: 'ECONNECTION' }));
  const onError = (e: Error) => failer?.(e);
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  return {
    next(): Promise<{ code: number; lines: string[] }> {
      if (ready.length) return Promise.resolve(ready.shift()!);
      return new Promise((resolve, reject) => {
        waiter = (r) => {
          waiter = undefined;
          resolve(r);
        };
        failer = reject;
      });
    },
    stop() {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    },
  };
}
