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

export async function startReceiver(
  handle: (req: RecordedRequest) => Reply | 'hang',
): Promise<Receiver & { server: Server }> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const rec: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body, json, at: Date.now() };
      requests.push(rec);
      const fault = faults.shift();
      let reply: Reply | 'hang';
      if (fault && 'hang' in fault) reply = 'hang';
      else if (fault) reply = fault;
      else reply = handle(rec);
      if (reply === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const isText = typeof reply.body === 'string' || reply.body === undefined;
      res.writeHead(reply.status, {
        'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
        ...reply.headers,
      });
      res.end(reply.body === undefined ? '' : isText ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    requests,
    fault: (...f) => faults.push(...f),
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
