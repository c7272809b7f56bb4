/**
 * Answers for requests Node's HTTP parser refuses before any route sees them (headers over Node's
 * limit, a request that is not HTTP, one not received in time), in the API's own error shape
 * (`{status, error, code}`) rather than fastify's, so a client reads every refusal the same way.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../errors.ts';

function answer(err: NodeJS.ErrnoException): { status: number; error: string; code: ErrorCode } {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, error: 'the request line and headers are larger than the server accepts (16 KiB): shorten the URL or the headers', code: 'PAYLOAD_TOO_LARGE' };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, error: 'the request was not received in time', code: 'INVALID_REQUEST' };
  return { status: 400, error: 'the request is not valid HTTP', code: 'INVALID_REQUEST' };
}

/** fastify's `clientErrorHandler`: writes the answer and destroys the connection. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const a = answer(err);
    const body = JSON.stringify(a);
    socket.write(`HTTP/1.1 ${a.status} ${STATUS_CODES[a.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  // At once, whatever the client does: a slow client (headers timeout) must not hold the socket.
  socket.destroy();
}
