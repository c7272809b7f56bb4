/**
 * Acceptance, in-process (buildApp, FakeClock, real undici client, local receivers): how one
 * delivery behaves under HTTP faults, and what the egress policy lets through.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../kit/receivers/webhook.ts';
import { appKit, webhookWatch, type AppKit } from './app-kit.ts';

let kit: AppKit | undefined;
let hook: WebhookReceiver | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await kit?.close();
  await hook?.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  kit = hook = undefined;
});

async function listen(s: Server): Promise<string> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function outboxRow(k: AppKit, key: string) {
  const row = await k.app.store.outbox.get(key);
  if (!row) throw new Error(`no outbox entry ${key}`);
  return row;
}

describe('delivery under HTTP faults', () => {
  it('500, 502, 503, 504 then 200: one success, the same Idempotency-Key on all five attempts', async () => {
    hook = await startWebhookReceiver();
    hook.fault({ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 });
    kit = await appKit();
    kit.writeWatch('w', webhookWatch(`${hook.url}/in`));
    const rec = await kit.execute('w');
    expect(rec.actions[0]!.status.code).toBe('ACTION_EXECUTED');
    expect(rec.actions[0]!.delivery).toMatchObject({ attempts: 5, status: 'delivered' });
    expect(hook.requests.map((r) => r.headers['idempotency-key'])).toEqual(Array(5).fill(rec.actions[0]!.delivery!.key));
    expect(hook.deliveries()).toHaveLength(1);
    expect((await outboxRow(kit, rec.actions[0]!.delivery!.key)).status).toBe('delivered');
  });

  it.each([400, 401, 404])('%i: one attempt, failed, not retried', async (status) => {
    hook = await startWebhookReceiver();
    hook.fault({ status });
    kit = await appKit();
    kit.writeWatch('w', webhookWatch(`${hook.url}/in`));
    const rec = await kit.execute('w');
    expect(rec.actions[0]!.status.code).toBe('ACTION_FAILED');
    expect(rec.actions[0]!.error?.detail).toBe('HTTP_4XX');
    expect(hook.requests).toHaveLength(1);
    // Nothing left to resume: the entry is final.
    expect((await outboxRow(kit, rec.actions[0]!.delivery!.key)).status).toBe('failed');
    expect(await kit.app.store.outbox.pending()).toEqual([]);
  });

  it('429 with Retry-After: 2 → the next attempt is at least 2 s later', async () => {
    hook = await startWebhookReceiver();
    hook.fault({ status: 429, headers: { 'retry-after': '2' } });
    kit = await appKit();
    kit.writeWatch('w', webhookWatch(`${hook.url}/in`));
    const rec = await kit.execute('w');
    expect(rec.actions[0]!.status.code).toBe('ACTION_EXECUTED');
    const times = kit.sent.map((s) => s.at);
    expect(times).toHaveLength(2);
    // Backoff alone would wait 0.5 s; the server asked for 2.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2000);
    expect(times[1]! - times[0]!).toBeLessThan(2100);
  });

  it('a receiver that hangs: read timeout, then a retry that succeeds with the same key', async () => {
    hook = await startWebhookReceiver();
    hook.fault({ hang: true });
    kit = await appKit();
    // The read timeout runs on real time while the kit drives fake time (50 ms per ~2 ms): a 1 min throttle
    // gives a 1 min retry deadline, so the fake clock cannot pass the deadline during a 300 ms real wait.
    kit.writeWatch('w', webhookWatch(`${hook.url}/in`, { read_timeout: 0.3, throttle_period: '1m' }));
    const rec = await kit.execute('w');
    expect(rec.actions[0], JSON.stringify(rec.actions[0])).toMatchObject({ status: { code: 'ACTION_EXECUTED' } });
    expect(rec.actions[0]!.delivery!.attempts).toBe(2);
    expect(hook.requests).toHaveLength(2);
    expect(new Set(hook.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(kit.logs.lines.some((l) => /will retry: TIMEOUT/.test(String(l.msg)))).toBe(true);
  });

  it('a 10 MB response is cut at the 1 MiB cap: delivered, and the rest is never read', async () => {
    let written = 0;
    let closedEarly = false;
    const chunk = Buffer.alloc(64 * 1024, 120);
    const url = await listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.on('close', () => (closedEarly = written < 10 * 1024 * 1024));
        const pump = () => {
          while (written < 10 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      }),
    );
    kit = await appKit();
    kit.writeWatch('w', webhookWatch(`${url}/big`));
    const rec = await kit.execute('w');
    expect(rec.actions[0]!.status.code).toBe('ACTION_EXECUTED');
    await kit.drive(() => closedEarly, { stepMs: 10, maxMs: 5000 });
    expect(closedEarly).toBe(true);
    // Socket buffers let a little more than the cap leave the server, not 10 MB.
    expect(written).toBeLessThan(8 * 1024 * 1024);
  });

  it('a redirect to 169.254.169.254 is not followed; neither is one to an allowed stand-in', async () => {
    let standInHits = 0;
    const standIn = await listen(createServer((_q, r) => (standInHits++, r.end('metadata'))));
    const redirects = [`http://169.254.169.254/latest/meta-data/iam/security-credentials/`, `${standIn}/latest/meta-data/`];
    const url = await listen(createServer((_q, r) => (r.writeHead(302, { location: redirects.shift() ?? '/' }), r.end())));
    kit = await appKit();
    kit.writeWatch('w', webhookWatch(`${url}/hook`));
    for (let i = 0; i < 2; i++) {
      const rec = await kit.execute('w');
      expect(rec.actions[0]!.status.code).toBe('ACTION_FAILED');
      expect(rec.actions[0]!.error?.detail).toBe('HTTP_3XX');
      expect(rec.actions[0]!.error?.message).toMatch(/redirect_not_followed/);
      expect(rec.actions[0]!.delivery!.attempts).toBe(1);
    }
    expect(standInHits).toBe(0);
    expect(kit.sent).toHaveLength(2);
  });
});

describe('egress: a name that resolves to 127.0.0.1', () => {
  it('is denied when only public destinations are allowed (no attempt reaches the receiver)', async () => {
    hook = await startWebhookReceiver();
    const port = new URL(hook.url).port;
    kit = await appKit({ allow: [], hosts: { 'hooks.internal.test': '127.0.0.1' } });
    kit.writeWatch('w', webhookWatch(`http://hooks.internal.test:${port}/in`));
    const rec = await kit.execute('w');
    expect(rec.actions[0]!.status.code).toBe('ACTION_FAILED');
    expect(rec.actions[0]!.error?.detail).toBe('EGRESS_DENIED');
    expect(rec.actions[0]!.delivery!.attempts).toBe(1);
    expect(hook.requests).toHaveLength(0);
    expect(kit.logs.lines.some((l) => l.code === 'EGRESS_DENIED' && l.host === 'hooks.internal.test')).toBe(true);
  });

  it('is delivered when the name is on the allowlist', async () => {
    hook = await startWebhookReceiver();
    const port = new URL(hook.url).port;
    kit = await appKit({ allow: ['hooks.internal.test'], hosts: { 'hooks.internal.test': '127.0.0.1' } });
    kit.writeWatch('w', webhookWatch(`http://hooks.internal.test:${port}/in`));
    const rec = await kit.execute('w');
    expect(rec.actions[0]!.status.code).toBe('ACTION_EXECUTED');
    expect(hook.deliveries()).toHaveLength(1);
  });
});
