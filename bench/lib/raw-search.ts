/**
 * The S2 baseline: what one search costs without Vigil — a raw undici keep-alive pool POSTing the same
 * query to the same test cluster, `JSON.parse` of the body, paced at the same rate as the pipeline.
 * The CPU per request is the floor the full pipeline's per-execution cost is compared against.
 */
import { Pool } from 'undici';
import { cpuMeter, nowPrecise, percentile, round, sleep } from './result.ts';

export interface RawSearchResult {
  requests: number;
  perSecond: number;
  cpuPercentOfCore: number;
  cpuUsPerRequest: number;
  latencyMs: { p50: number; p99: number };
}

export async function rawSearchLoop(clusterUrl: string, body: unknown, ratePerSecond: number, seconds: number): Promise<RawSearchResult> {
  const pool = new Pool(clusterUrl, { connections: 32, pipelining: 1 });
  const payload = JSON.stringify(body);
  const one = async (): Promise<number> => {
    const t0 = nowPrecise();
    const res = await pool.request({ method: 'POST', path: '/logs/_search', headers: { 'content-type': 'application/json' }, body: payload });
    const parsed = JSON.parse(await res.body.text()) as { hits?: { total?: { value?: number } } };
    if (res.statusCode !== 200 || typeof parsed.hits?.total?.value !== 'number') throw new Error(`raw search answered ${res.statusCode}`);
    return nowPrecise() - t0;
  };
  // Warm the pool and the JIT first.
  for (let i = 0; i < 200; i++) await one();

  const latencies: number[] = [];
  const inflight = new Set<Promise<void>>();
  const cpu = cpuMeter();
  const t0 = performance.now();
  let issued = 0;
  // Issue in 10 ms ticks, topping up to `rate × elapsed`, like the scheduler's batches of due watches.
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * ratePerSecond);
    for (; issued < due; issued++) {
      const p: Promise<void> = one().then((ms) => void latencies.push(ms));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await sleep(10);
  }
  await Promise.all(inflight);
  const c = cpu.stop();
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: issued,
    perSecond: round(issued / (c.elapsedMs / 1000), 1),
    cpuPercentOfCore: c.percentOfCore,
    cpuUsPerRequest: round((c.cpuMs * 1000) / Math.max(1, issued), 1),
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)) },
  };
}
