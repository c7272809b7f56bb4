/**
 * The official clients' transports are patched (patches/, applied by `postinstall`): a result's
 * `warnings` getter is one shared function instead of a new closure per result. With a closure per
 * result every result gets its own hidden class, and the request it belongs to survives the next
 * scavenge (bench/README.md has what that cost). These tests fail
 * when the patches are not applied (a fresh install without `postinstall`, or a client upgrade whose
 * patch no longer matches), and check that the getter still reads the warnings as before.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as Client9 } from '@elastic/elasticsearch';
import { Client as Client8 } from 'es8';
import { Client as OpenSearchClient } from '@opensearch-project/opensearch';

interface TransportLike {
  transport: { request(params: { method: string; path: string }, options: { meta: true }): Promise<object> };
  close(): Promise<void>;
}

const WARNING = '299 Elasticsearch-9.1.0-abc "[ignore_throttled] parameter is deprecated"';

describe('patched transports: one shared warnings getter', () => {
  let server: Server;
  let url: string;
  let sendWarning = false;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-elastic-product', 'Elasticsearch');
      if (sendWarning) res.setHeader('warning', WARNING);
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const clients: Array<[string, () => TransportLike]> = [
    ['@elastic/elasticsearch 9', () => new Client9({ node: url, maxRetries: 0 }) as unknown as TransportLike],
    ['@elastic/elasticsearch 8', () => new Client8({ node: url, maxRetries: 0 }) as unknown as TransportLike],
    ['@opensearch-project/opensearch', () => new OpenSearchClient({ node: url, maxRetries: 0 }) as unknown as TransportLike],
  ];

  for (const [name, make] of clients) {
    it(`${name}: two results share their warnings getter, which still reads the header`, async () => {
      const client = make();
      try {
        sendWarning = false;
        const a = await client.transport.request({ method: 'GET', path: '/' }, { meta: true });
        const b = await client.transport.request({ method: 'GET', path: '/' }, { meta: true });
        const getterA = Object.getOwnPropertyDescriptor(a, 'warnings')?.get;
        expect(getterA).toBeTypeOf('function');
        expect(Object.getOwnPropertyDescriptor(b, 'warnings')?.get).toBe(getterA);
        expect((a as { warnings: unknown }).warnings).toBeNull();

        sendWarning = true;
        const c = await client.transport.request({ method: 'GET', path: '/' }, { meta: true });
        expect((c as { warnings: unknown }).warnings).toEqual([WARNING]);
      } finally {
        await client.close();
      }
    });
  }
});
