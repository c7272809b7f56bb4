/**
 * A real SMTP server on 127.0.0.1 (nodemailer's smtp-server) for action tests, recording every session
 * (its commands, whether AUTH was seen, whether it was secure) and every message (raw + parsed with
 * mailparser). Options cover the cases the email action must handle: implicit TLS, STARTTLS offered or not, AUTH
 * required or not (relay), a reply-code fault injector per command, and a tarpit that accepts TCP and
 * never greets.
 */
import net from 'node:net';
import { once } from 'node:events';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export type FaultCommand = 'MAIL' | 'RCPT' | 'DATA';

export interface Fault {
  /** SMTP reply code, e.g. 421, 451, 550. */
  code: number;
  message?: string;
  /** How many times the fault fires before the command succeeds; default forever. */
  times?: number;
}

export interface SmtpPeerOptions {
  /** Implicit TLS from the first byte (needs `tls`). */
  secure?: boolean;
  /** Offer STARTTLS (needs `tls`); default true when `tls` is given and `secure` is not. */
  starttls?: boolean;
  /** Server key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Credentials the server requires; omit for a relay that neither offers nor needs AUTH. */
  auth?: { user: string; pass: string };
  /** SASL mechanisms offered (smtp-server default: PLAIN, LOGIN). */
  authMethods?: string[];
  /** Allow AUTH over a connection that is not (yet) encrypted. Default true. */
  allowInsecureAuth?: boolean;
  faults?: Partial<Record<FaultCommand, Fault>>;
  /** Accept TCP connections and never send a greeting. */
  tarpit?: boolean;
}

export interface SmtpSessionRecord {
  id: string;
  /** Command lines as the server saw them (AUTH arguments are redacted by smtp-server). */
  commands: string[];
  authSeen: boolean;
  authUser?: string;
  /** Whether the session was encrypted when the message (if any) was sent. */
  secure: boolean;
}

export interface ReceivedMessage {
  sessionId: string;
  secure: boolean;
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
  /** Date.now() when the message was accepted. */
  at: number;
}

export interface SmtpPeer {
  host: '127.0.0.1';
  port: number;
  sessions: SmtpSessionRecord[];
  messages: ReceivedMessage[];
  /** TCP connections accepted (the tarpit counts them too). */
  connections: number;
  /** Resolves when `n` messages have arrived. */
  waitForMessages(n: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

export async function startSmtpPeer(o: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  if (o.tarpit) return startTarpit();
  const sessions = new Map<string, SmtpSessionRecord>();
  const messages: ReceivedMessage[] = [];
  const waiters: Array<() => void> = [];
  const counters: Partial<Record<FaultCommand, number>> = {};
  let connections = 0;

  const session = (id: string): SmtpSessionRecord => {
    let s = sessions.get(id);
    if (!s) {
      s = { id, commands: [], authSeen: false, secure: false };
      sessions.set(id, s);
    }
    return s;
  };
  const fault = (cmd: FaultCommand): Error | null => {
    const f = o.faults?.[cmd];
    if (!f) return null;
    const n = (counters[cmd] = (counters[cmd] ?? 0) + 1);
    if (f.times !== undefined && n > f.times) return null;
    return Object.assign(new Error(f.message ?? `injected ${f.code}`), { responseCode: f.code });
  };
  const noop = () => undefined;
  const logger = {
    trace: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    debug: (meta: unknown, _msg?: unknown, line?: unknown) => {
      const m = meta as { tnx?: string; cid?: string; command?: string };
      if (m?.tnx !== 'command' || !m.cid) return;
      const s = session(m.cid);
      s.commands.push(typeof line === 'string' ? line : String(m.command));
      if (m.command === 'AUTH') s.authSeen = true;
    },
  };

  const offerStartTls = o.starttls ?? (o.tls !== undefined && !o.secure);
  const options: SMTPServerOptions = {
    secure: o.secure ?? false,
    hideSTARTTLS: !offerStartTls,
    ...(o.tls ? { key: o.tls.key, cert: o.tls.cert } : {}),
    authOptional: o.auth === undefined,
    ...(o.auth === undefined ? { disabledCommands: ['AUTH'] } : {}),
    allowInsecureAuth: o.allowInsecureAuth ?? true,
    ...(o.authMethods ? { authMethods: o.authMethods } : {}),
    disableReverseLookup: true,
    logger: logger as unknown as SMTPServerOptions['logger'],
    onConnect(_s, cb) {
      connections++;
      cb();
    },
    onAuth(auth, s, cb) {
      const rec = session(s.id);
      rec.authSeen = true;
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) {
        rec.authUser = auth.username;
        cb(null, { user: auth.username });
      } else {
        cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onMailFrom(_a, _s, cb) {
      cb(fault('MAIL'));
    },
    onRcptTo(_a, _s, cb) {
      cb(fault('RCPT'));
    },
    onData(stream, s, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const err = fault('DATA');
        if (err) return cb(err);
        const raw = Buffer.concat(chunks).toString('utf8');
        const rec = session(s.id);
        rec.secure = s.secure;
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              sessionId: s.id,
              secure: s.secure,
              envelope: {
                from: s.envelope.mailFrom ? s.envelope.mailFrom.address : '',
                to: s.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
              at: Date.now(),
            });
            for (const w of waiters.splice(0)) w();
            cb(null, 'queued as test');
          },
          (e: Error) => cb(e),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as net.AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    get sessions() {
      return [...sessions.values()];
    },
    messages,
    get connections() {
      return connections;
    },
    waitForMessages(n) {
      return new Promise((resolve) => {
        const check = () => (messages.length >= n ? resolve(messages.slice(0, n)) : waiters.push(check));
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startTarpit(): Promise<SmtpPeer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    sessions: [],
    messages: [],
    get connections() {
      return connections;
    },
    waitForMessages: () => new Promise(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
