import type { FastifyInstance } from 'fastify';
import { VigilError } from '../errors.ts';

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied',
  ENOTFOUND: 'host name not found',
};

/**
 * Listens on `HOST:PORT`. A failure is LISTEN_FAILED with one line naming the address (a taken port and
 * the like are common and not bugs).
 */
export async function listenOn(server: FastifyInstance, address: string): Promise<void> {
  const [host, port] = splitListen(address);
  try {
    await server.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = (code && LISTEN_ERRORS[code]) ?? (e as Error).message;
    throw new VigilError('LISTEN_FAILED', `cannot listen on ${address}: ${why}`, undefined, { cause: e });
  }
}

/** `HOST:PORT` (`[::1]:9600` for IPv6) as host and port. */
export function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i).replace(/^\[|\]$/g, ''), Number(listen.slice(i + 1))];
}
