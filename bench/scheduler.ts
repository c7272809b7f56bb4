/**
 * S1, scheduler precision: 10 000 watches with a 1 s cron trigger, callbacks doing
 * nothing, real system clock. Reports fire lag (start − scheduled time) percentiles and the
 * scheduler's CPU as a share of one core. Gate: p99 ≤ 50 ms, CPU ≤ 10 %; stretch p99 ≤ 25 ms.
 *
 * Run: `node bench/scheduler.ts` (env BENCH_SECONDS, default 30; BENCH_WATCHES, default 10 000).
 * Prints one JSON object.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/log.ts';
import { Scheduler, type FireInfo } from '../src/schedule/scheduler.ts';
import { compileSchedule } from '../src/schedule/triggers.ts';
import { triggerSchema } from '../src/schedule/schema.ts';

export interface SchedulerBenchOptions {
  watches?: number;
  seconds?: number;
  warmupSeconds?: number;
  /** Quartz cron of every watch. */
  cron?: string;
}

export interface SchedulerBenchResult {
  scenario: 'S1';
  watches: number;
  seconds: number;
  fires: number;
  expectedFires: number;
  lagMs: { p50: number; p99: number; max: number; mean: number };
  /**
   * Lag split per batch (all watches share one scheduled second): `wake` is the lag of the first run
   * of each batch (timer and OS latency), `spread` the time from the first to the last run of a
   * batch (the scheduler's own work). On a loaded machine `wake` dominates.
   */
  batchMs: { wakeP50: number; wakeMax: number; spreadP50: number; spreadMax: number };
  cpuPercentOfCore: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  schedulerHeapBytesPerWatch: number | null;
  stats: { skippedOverlap: number; deferred: number; misfires: number };
  gate: { p99Ms: number; cpuPercent: number; pass: boolean };
}

const nowPrecise = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

export async function runSchedulerBench(opts: SchedulerBenchOptions = {}): Promise<SchedulerBenchResult> {
  const watches = opts.watches ?? 10_000;
  const seconds = opts.seconds ?? 30;
  const warmup = opts.warmupSeconds ?? 3;
  const schedule = compileSchedule(triggerSchema.parse({ schedule: { cron: opts.cron ?? '* * * * * ?' } }).schedule);

  // Every fire is recorded, warm-up included, and the measured window is cut out afterwards: a
  // branch that starts being taken only when measuring begins would deoptimise the callback in the
  // first measured batch and show up as scheduler lag.
  const capacity = watches * (warmup + seconds + 4);
  const scheduledAt = new Float64Array(capacity);
  const lagAt = new Float64Array(capacity);
  let recorded = 0;
  const run = async (fire: FireInfo): Promise<void> => {
    if (recorded < capacity) {
      scheduledAt[recorded] = fire.scheduledTime;
      lagAt[recorded++] = nowPrecise() - fire.scheduledTime;
    }
  };

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  // Concurrency above the watch count: S1 measures the scheduler, not the run limiter.
  const scheduler = new Scheduler({ clock: systemClock, logger: silentLogger(), concurrency: watches + 1, queueLimit: watches });
  for (let i = 0; i < watches; i++) scheduler.upsert(`watch-${i}`, schedule, run);
  gc?.();
  const heapPerWatch = gc ? (process.memoryUsage().heapUsed - heapBefore) / watches : null;

  scheduler.start();
  await new Promise((r) => setTimeout(r, warmup * 1000));

  // Measure whole seconds of scheduled times, starting at the next second boundary.
  const measureFrom = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const measureTo = measureFrom + seconds * 1000;
  await new Promise((r) => setTimeout(r, measureFrom - Date.now() - 200));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, measureTo - Date.now() + 500));
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = performance.now() - t0;
  loop.disable();
  await scheduler.stop();

  const lags = new Float64Array(recorded);
  let n = 0;
  const batches = new Map<number, { first: number; last: number }>();
  for (let i = 0; i < recorded; i++) {
    const at = scheduledAt[i]!;
    if (at < measureFrom || at >= measureTo) continue;
    const lag = lagAt[i]!;
    lags[n++] = lag;
    const b = batches.get(at);
    if (b) b.last = lag;
    else batches.set(at, { first: lag, last: lag });
  }
  const sorted = lags.slice(0, n).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const p99 = percentile(sorted, 0.99);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100;
  const st = scheduler.stats();
  const wake = Float64Array.from([...batches.values()].map((b) => b.first)).sort();
  const spread = Float64Array.from([...batches.values()].map((b) => b.last - b.first)).sort();
  return {
    scenario: 'S1',
    watches,
    seconds,
    fires: n,
    expectedFires: watches * seconds,
    lagMs: { p50: round(percentile(sorted, 0.5)), p99: round(p99), max: round(sorted[n - 1] ?? 0), mean: round(mean) },
    batchMs: {
      wakeP50: round(percentile(wake, 0.5)),
      wakeMax: round(wake[wake.length - 1] ?? 0),
      spreadP50: round(percentile(spread, 0.5)),
      spreadMax: round(spread[spread.length - 1] ?? 0),
    },
    cpuPercentOfCore: round(cpuPercent, 1),
    eventLoopDelayMs: {
      p50: round(loop.percentile(50) / 1e6),
      p99: round(loop.percentile(99) / 1e6),
      max: round(loop.max / 1e6),
    },
    schedulerHeapBytesPerWatch: heapPerWatch === null ? null : Math.round(heapPerWatch),
    stats: { skippedOverlap: st.skippedOverlap, deferred: st.deferred, misfires: st.misfires },
    gate: { p99Ms: 50, cpuPercent: 10, pass: p99 <= 50 && cpuPercent <= 10 && n === watches * seconds },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 30);
  const watches = Number(process.env.BENCH_WATCHES ?? 10_000);
  const result = await runSchedulerBench({ seconds, watches });
  console.log(JSON.stringify(result, null, 2));
}
