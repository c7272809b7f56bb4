/**
 * Plumbing for the stand-ins of services that sign or time their requests (AWS, Microsoft identity and
 * Graph, Teams, Chime): like {@link startReceiver} in `base.ts` — a node:http server on 127.0.0.1 with
 * an OS-chosen port, every request recorded, programmed {@link Fault}s answered in order before the
 * service logic — plus what those services need and `base.ts` does not give:
 *
 * - the raw body bytes and the raw header lines, because a signature covers the bytes and repeated
 *   headers exactly as sent (a body re-encoded from a string, or headers joined by Node, would verify
 *   a request the real service rejects);
 * - an injectable {@link Clock}, so request dates and token expiry can be tested without sleeping;
 * - an asynchronous handler (a raw e-mail is parsed with mailparser before the answer).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../../src/clock.ts';
import { jsonOrUndefined, plainHeaders, ReceiverPlumbing, type Receiver, type RecordedRequest } from './base.ts';

export interface ServiceRequest extends RecordedRequest {
  /** The body bytes as received. */
  raw: Buffer;
  /** Header lines as received: name, value, name, value… (names in their original case). */
  rawHeaders: string[];
  /** The path without the query, exactly as on the request line. */
  path: string;
  /** The query string without `?`, exactly as on the request line ('' when none). */
  query: string;
}

export interface ServiceReply {
  status: number;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: string | Buffer | object;
  headers?: Record<string, string>;
}

export type ServiceHandler = (req: ServiceRequest) => ServiceReply | 'hang' | Promise<ServiceReply | 'hang'>;

export interface ServiceStandIn extends Receiver {
  readonly requests: ServiceRequest[];
  readonly server: Server;
}

export interface ServiceOptions {
  /** Time source for `at` and for the service's own checks (default: the system clock). */
  clock?: Clock;
  /** Bodies larger than this are cut off with a 413 before the handler runs (default 16 MiB). */
  maxBodyBytes?: number;
}

/** Starts a stand-in server; `handle` runs for every request that no queued fault answers. */
export async function startService(handle: ServiceHandler, opts: ServiceOptions = {}): Promise<ServiceStandIn> {
  const clock = opts.clock ?? systemClock;
  const maxBody = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const plumbing = new ReceiverPlumbing<ServiceRequest>();

  const send = (res: ServerResponse, reply: ServiceReply): void => {
    const b = reply.body;
    const isJson = b !== undefined && typeof b !== 'string' && !Buffer.isBuffer(b);
    const payload = b === undefined ? '' : isJson ? JSON.stringify(b) : b;
    res.writeHead(reply.status, {
      'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8',
      ...reply.headers,
    });
    res.end(payload);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return send(res, { status: 413, body: 'Request Entity Too Large' });
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rec: ServiceRequest = {
        method: req.method ?? 'GET',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: plainHeaders(req),
        rawHeaders: req.rawHeaders,
        raw,
        body,
        json: jsonOrUndefined(body),
        at: clock.now(),
      };
      plumbing.requests.push(rec);
      const fault = plumbing.faults.shift();
      const answer = (reply: ServiceReply | 'hang'): void => {
        if (reply === 'hang') return plumbing.hang(res);
        send(res, reply);
      };
      if (fault && 'hang' in fault) return answer('hang');
      if (fault) return answer(fault);
      Promise.resolve()
        .then(() => handle(rec))
        .then(answer, (err: unknown) => {
          // A stand-in bug must fail the test that hit it, not hang it: answer 500 and say why.
          send(res, { status: 500, body: `stand-in error: ${err instanceof Error ? err.message : String(err)}` });
        });
    });
  });
  return plumbing.listen(server);
}

/**
 * Decodes `application/x-www-form-urlencoded` strictly, as a service that rejects a damaged body would:
 * every pair must be `name=value`, every `%` must start a two-digit hex escape, the decoded bytes must
 * be UTF-8, and no name may repeat. A value that broke the client's encoding (a raw `&`, `=` or `%`)
 * shows up here as an error or an unknown parameter instead of a silently different value.
 */
export function parseFormStrict(body: string): { ok: true; params: Map<string, string> } | { ok: false; error: string } {
  const params = new Map<string, string>();
  if (body === '') return { ok: true, params };
  for (const pair of body.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, error: `malformed pair '${pair.slice(0, 40)}'` };
    const name = decodeFormComponent(pair.slice(0, eq));
    const value = decodeFormComponent(pair.slice(eq + 1));
    if (name === undefined || value === undefined) return { ok: false, error: `bad percent-encoding or UTF-8 in '${pair.slice(0, 40)}'` };
    if (params.has(name)) return { ok: false, error: `parameter '${name}' given twice` };
    params.set(name, value);
  }
  return { ok: true, params };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeFormComponent(s: string): string | undefined {
  // Printable ASCII only: a space, control or non-ASCII character means the client sent text unencoded.
  if (/[^!-~]|#/.test(s)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(c === '+' ? 0x20 : c.charCodeAt(0));
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** Escapes text for an XML element; characters XML 1.0 cannot carry become U+FFFD. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
