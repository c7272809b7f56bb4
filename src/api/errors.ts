import type { FastifyError, FastifyInstance } from 'fastify';
import { VigilError } from '../errors.ts';

/**
 * One error shape for every response: `{status, error, detail?}`. Unknown errors become a
 * generic 500 without their message, which may hold internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | VigilError | Error, req, reply) => {
    if (err instanceof VigilError) {
      if (err.code === 'TOO_MANY_REQUESTS' && err.detail?.['retry_after']?.[0]) {
        reply.header('retry-after', String(err.detail['retry_after'][0].value));
      }
      return reply.status(err.status).send(err.toJSON());
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status === 413) return reply.status(413).send({ status: 413, error: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' });
    if (status >= 400 && status < 500) {
      const message = (err as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Content-Type must be application/json' : err.message;
      return reply.status(status).send({ status, error: message, code: 'INVALID_REQUEST' });
    }
    req.log.error({ err: { message: err.message, stack: err.stack } }, 'request failed');
    return reply.status(500).send({ status: 500, error: 'Internal error', code: 'INTERNAL' });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ status: 404, error: `No route for ${req.method} ${req.url.split('?')[0]}`, code: 'NOT_FOUND' }));
}
