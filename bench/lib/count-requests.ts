/**
 * Preloaded into a daemon of the HA scenario (`node --import ./bench/lib/count-requests.ts src/main.ts
 * run …`): counts the HTTP requests the process sends to the cluster at BENCH_CLUSTER_HOST (undici's
 * diagnostics channel, as bench/lib/requests.ts does in-process), apart from the checks' searches of
 * the `logs` index, and writes the count to BENCH_COUNT_FILE every 500 ms.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const host = process.env.BENCH_CLUSTER_HOST ?? '';
const file = process.env.BENCH_COUNT_FILE;
let state = 0;
let checks = 0;
subscribe('undici:request:create', (m) => {
  const r = (m as { request: { origin: string | URL; path: string } }).request;
  if (!String(r.origin).includes(host)) return;
  if (r.path.startsWith('/logs/_search')) checks++;
  else state++;
});
if (file) setInterval(() => writeFileSync(file, JSON.stringify({ state, checks })), 500).unref();
