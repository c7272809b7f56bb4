import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../src/api/errors.ts';
import { VigilError } from '../../src/errors.ts';

async function server() {
  const f = Fastify({ bodyLimit: 16 });
  installErrorHandler(f);
  f.post('/boom', async () => {
    throw new Error('connection string postgres://admin:hunter2@db at Object.<anonymous> (src/x.ts:1)');
  });
  f.post('/refused', async () => {
    throw new VigilError('CONFLICT', 'already there');
  });
  await f.ready();
  return f;
}

describe('API error handler', () => {
  it('an unexpected error is a bare 500 INTERNAL: no message, no stack', async () => {
    const f = await server();
    const res = await f.inject({ method: 'POST', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ status: 500, error: 'Internal error', code: 'INTERNAL' });
    await f.close();
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE; a VigilError keeps its code and status', async () => {
    const f = await server();
    const big = await f.inject({ method: 'POST', url: '/refused', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'y'.repeat(64) }) });
    expect(big.json()).toEqual({ status: 413, error: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' });
    const refused = await f.inject({ method: 'POST', url: '/refused' });
    expect(refused.json()).toEqual({ status: 409, error: 'already there', code: 'CONFLICT' });
    await f.close();
  });
});
