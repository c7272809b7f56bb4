import Fastify from 'fastify';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenOn } from '../../src/api/listen.ts';

describe('the API address', () => {
  it('a taken port is LISTEN_FAILED, one line naming the address', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(squatter.address() as AddressInfo).port}`;
    const api = Fastify();
    try {
      await expect(listenOn(api, address)).rejects.toMatchObject({ code: 'LISTEN_FAILED', message: `cannot listen on ${address}: address already in use` });
    } finally {
      await api.close();
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });
});
