/**
 * Shared plumbing for the local service receivers: a node:http server on 127.0.0.1 (OS-chosen port)
 * that records every request and can be programmed with faults, answered in order before the service
 * logic runs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  at: number;
}

/**
 * A programmed answer. `hang` accepts the request and never answers (the client's read timeout fires);
 * `status` answers with that status, body and headers instead of the service logic.
 */
export type Fault = { hang: true } | { status: number; body?: string | object; headers?: Record<string, string> };

export interface Reply {
  status: number;
  body?: string | object;
  headers?: Record<string, string>;
}

export interface Receiver {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queues answers for the next requests (one fault per request, in order). */
  fault(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** The parsed body when it is JSON, else undefined: a receiver records what it got, it does not judge it. */
export function jsonOrUndefined(body: string): unknown {
  try {
    return body ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

/** The request's single-valued headers (Node joins repeats; `set-cookie` stays out as an array). */
export function plainHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  return headers;
}

/**
 * The fault queue, the open responses of `hang` answers and the listening server every receiver shares;
 * `close` drops the hung responses so that a test's teardown never waits for a client timeout.
 */
export class ReceiverPlumbing<R extends RecordedRequest> {
  readonly requests: R[] = [];
  readonly faults: Fault[] = [];
  private readonly hanging = new Set<ServerResponse>();

  /** Keeps `res` open without answering until the client gives up or the receiver closes. */
  hang(res: ServerResponse): void {
    this.hanging.add(res);
    res.on('close', () => this.hanging.delete(res));
  }

  /** Listens on 127.0.0.1 with an OS-chosen port and returns the receiver's handle. */
  async listen(server: Server): Promise<Receiver & { server: Server; requests: R[] }> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hanging = this.hanging;
    return {
      server,
      url: `http://127.0.0.1:${port}`,
      requests: this.requests,
      fault: (...f) => this.faults.push(...f),
      async close() {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
}

export async function startReceiver(
  handle: (req: RecordedRequest) => Reply | 'hang',
): Promise<Receiver & { server: Server }> {
  const plumbing = new ReceiverPlumbing<RecordedRequest>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: plainHeaders(req),
        body,
        json: jsonOrUndefined(body),
        at: Date.now(),
      };
      plumbing.requests.push(rec);
      const fault = plumbing.faults.shift();
      let reply: Reply | 'hang';
      if (fault && 'hang' in fault) reply = 'hang';
      else if (fault) reply = fault;
      else reply = handle(rec);
      if (reply === 'hang') return plumbing.hang(res);
      const isText = typeof reply.body === 'string' || reply.body === undefined;
      res.writeHead(reply.status, {
        'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
        ...reply.headers,
      });
      res.end(reply.body === undefined ? '' : isText ? reply.body : JSON.stringify(reply.body));
    });
  });
  return plumbing.listen(server);
}
