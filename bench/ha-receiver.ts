/**
 * The webhook sink of the HA scenario, in a process of its own: counts receipts, keeps a histogram of
 * the trigger lag at the receiver (arrival − the `scheduled` time in the body, 1 ms buckets up to 60 s:
 * memory stays flat), and tracks, for a set of watch ids, the first receipt of a run scheduled after a
 * given time (the first run of a taken-over watch after a kill).
 *
 *   POST /hook                 body {"w": id, "scheduled": ISO}
 *   GET  /_stats?reset=1       {count, unique, p50, p99, max} since the last reset; `unique`: distinct
 *                              (watch, scheduled time) pairs, so a notification sent twice counts once
 *   POST /_track               body {ids: [...], after: epoch ms}; GET /_track → {first: epoch ms | null}
 */
import { createServer } from 'node:http';
import { serveSink } from './lib/serve-sink.ts';

const MAX_MS = 60_000;
let hist = new Uint32Array(MAX_MS + 1);
let count = 0;
let max = 0;
let seen = new Set<string>();
let tracked = new Set<string>();
let after = Infinity;
let first: number | null = null;

function quantile(q: number): number {
  let seen = 0;
  const want = Math.ceil(q * count);
  for (let i = 0; i <= MAX_MS; i++) {
    seen += hist[i]!;
    if (seen >= want && want > 0) return i;
  }
  return 0;
}

const body = (req: import('node:http').IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => resolve(s));
  });

const server = createServer(async (req, res) => {
  const now = Date.now();
  const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
  if (req.method === 'GET' && req.url?.startsWith('/_stats')) {
    const out = { count, unique: seen.size, p50: quantile(0.5), p99: quantile(0.99), max };
    if (req.url.includes('reset=1')) {
      hist = new Uint32Array(MAX_MS + 1);
      count = 0;
      max = 0;
      seen = new Set();
    }
    return json(out);
  }
  if (req.url === '/_track') {
    if (req.method === 'POST') {
      const t = JSON.parse(await body(req)) as { ids: string[]; after: number };
      tracked = new Set(t.ids);
      after = t.after;
      first = null;
      return json({ ok: true });
    }
    return json({ first });
  }
  const text = await body(req);
  try {
    const b = JSON.parse(text) as { w: string; scheduled: string };
    const scheduled = Date.parse(b.scheduled);
    const lag = Math.max(0, Math.min(MAX_MS, now - scheduled));
    hist[lag]!++;
    count++;
    seen.add(`${b.w}|${b.scheduled}`);
    max = Math.max(max, lag);
    if (first === null && scheduled > after && tracked.has(b.w)) first = now;
  } catch {
    // Not one of ours: counted nowhere.
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
});
serveSink(server);
