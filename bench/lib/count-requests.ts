/**
 * Preloaded into a daemon of the HA scenario (`node --import ./bench/lib/count-requests.ts src/main.ts
 * run …`): counts the HTTP requests the process sends to the cluster at BENCH_CLUSTER_HOST (undici's
 * diagnostics channel, as bench/lib/requests.ts does in-process), apart from the checks' searches of
 * the `logs` index, and writes the count to BENCH_COUNT_FILE every 500 ms, with the count per kind of
 * request (method, the index's suffix after the prefix, the endpoint: `POST outbox/_search`) to see
 * which part of the daemon sends what.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const host = process.env.BENCH_CLUSTER_HOST ?? '';
const file = process.env.BENCH_COUNT_FILE;
let state = 0;
let checks = 0;
const byKind: Record<string, number> = {};

/** `POST /ha-3-123-outbox/_search?x` → `POST outbox/_search`; `POST /_bulk` → `POST _bulk`. */
function kindOf(method: string, path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const index = parts[0] && !parts[0].startsWith('_') ? parts[0].replace(/^.*-/, '') : '';
  const endpoint = parts.find((p, i) => i > 0 && p.startsWith('_')) ?? (index ? '' : (parts[0] ?? ''));
  return `${method} ${[index, endpoint].filter(Boolean).join('/')}`;
}
subscribe('undici:request:create', (m) => {
  const r = (m as { request: { origin: string | URL; path: string; method: string } }).request;
  if (!String(r.origin).includes(host)) return;
  if (r.path.startsWith('/logs/_search')) checks++;
  else {
    state++;
    const k = kindOf(r.method, r.path);
    byKind[k] = (byKind[k] ?? 0) + 1;
  }
});
if (file) setInterval(() => writeFileSync(file, JSON.stringify({ state, checks, byKind })), 500).unref();
