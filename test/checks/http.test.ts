import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileEnv, runtimeKit } from '../kit/runtime.ts';
import { createTestHttpClient } from '../kit/undici-http.ts';
import { makeContext } from '../script/painless/context.ts';
import { httpCheck } from '../../src/checks/http.ts';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { allowAll } from '../kit/access.ts';

let server: Server;
let base: string;
const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url?.startsWith('/text')) return res.end('plain words');
      if (req.url?.startsWith('/fail')) return (res.statusCode = 503), res.end('{"error":"down"}');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ queue: { depth: 42 }, echo: body ? JSON.parse(body) : null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('http check', () => {
  it('sends the rendered request and puts the JSON response in target', async () => {
    const kit = runtimeKit({ http: createTestHttpClient() });
    const w = kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [
        { type: 'static', name: 'c', target: 'q', value: { name: 'orders', limit: 10 } },
        {
          type: 'http', name: 'queue', target: 'status',
          request: { method: 'POST', url: base, path: '/queues/{{data.q.name}}', query_params: { detail: 'yes' }, json_body_from: 'data.q', headers: { 'X-Watch': '{{watch.id}}' }, auth: { type: 'basic', username: 'u', password: 'p' } },
        },
        { type: 'condition', name: 'deep', lang: 'cel', source: 'data.status.queue.depth > data.q.limit' },
      ],
      actions: [{ type: 'log', name: 'say', text: 'depth {{data.status.queue.depth}}' }],
      log_runtime_data: true,
    });
    const rec = await kit.runner.run(w, { fire: null });
    expect(rec.status.code).toBe('ACTION_EXECUTED');
    const req = seen.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', url: '/queues/orders?detail=yes' });
    expect(req.headers['x-watch']).toBe('w');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(JSON.parse(req.body)).toEqual({ name: 'orders', limit: 10 });
    expect((rec.data as { status: { echo: unknown } }).status.echo).toEqual({ name: 'orders', limit: 10 });
    await kit.close();
  });

  it('keeps a text response as text and fails the run on an error status', async () => {
    const kit = runtimeKit({ http: createTestHttpClient() });
    const text = await kit.runner.run(kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [{ type: 'http', name: 't', request: { url: `${base}/text` } }],
      log_runtime_data: true,
    }), { fire: null });
    expect(text.data).toEqual({ _value: 'plain words' });
    const failed = await kit.runner.run(kit.compile({
      trigger: { schedule: { interval: '1m' } },
      checks: [{ type: 'http', name: 'down', request: { url: `${base}/fail?token=s3cret` } }],
    }), { fire: null });
    expect(failed.status.code).toBe('EXECUTION_FAILED');
    expect(failed.error?.message).toMatch(/HTTP 503/);
    expect(failed.error?.message).not.toContain('s3cret');
    await kit.close();
  });
});

describe('http check errors', () => {
  it('an error status rejects with HTTP_INPUT_FAILED, the URL redacted', async () => {
    const http = createTestHttpClient();
    const check = httpCheck.compile(httpCheck.schema.parse({ type: 'http', name: 'down', request: { url: `${base}/fail?token=s3cret` } }), compileEnv());
    const rt = { http, clock: systemClock, logger: silentLogger(), reportMissing: () => {}, access: allowAll, searchClient: () => { throw new Error('no cluster'); } };
    const failure = check.run(makeContext(), rt);
    await expect(failure).rejects.toMatchObject({ code: 'HTTP_INPUT_FAILED', message: expect.stringMatching(/^HTTP 503 from /) });
    await expect(failure).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret') });
    await http.close();
  });
});
