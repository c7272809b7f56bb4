/**
 * S6, start-up: 10 000 watch files (the S2 watches) in a fresh folder and a fresh data
 * dir; time from `buildApp` to `start()` resolved with every watch scheduled, in a process that has
 * run nothing else (cold JIT). Files were just written, so they are in the page cache: this measures
 * Vigil's work, not the disk.
 *
 * Baseline (same files, same process, afterwards): readFile + JSON.parse of every file, 200 at a time —
 * the floor any loader pays before validating and compiling anything.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/log.ts';
import { gate, round, type ScenarioResult } from './lib/result.ts';
import { startProfile } from './lib/profile.ts';
import { writeWatches } from './lib/watches.ts';

const MB = 1024 * 1024;

export async function runStartupBench(o: { watches?: number } = {}): Promise<ScenarioResult> {
  const count = o.watches ?? 10_000;
  const root = await mkdtemp(join(tmpdir(), 'vigil-bench-s6-'));
  try {
    const watchesDir = join(root, 'watches');
    // The sink URL is never called: nothing fires before the app is stopped (10 s interval).
    const files = await writeWatches({ count, dir: watchesDir, webhookUrl: 'http://127.0.0.1:9' });
    const config = loadConfig({
      env: {},
      overrides: {
        data_dir: join(root, 'data'),
        watches_dir: watchesDir,
        accounts_dir: join(root, 'accounts'),
        clusters: { default: { urls: ['http://127.0.0.1:9'] } },
        egress: { allow: ['127.0.0.1'], disabled_action_types: [] },
        log: { level: 'warn', retention: 100_000 },
      },
    });
    const logger = createLogger({ level: 'warn', destination: pino.destination(2) });

    // BENCH_PROFILE: the profile covers the measured start-up only, not the files' writing or the baseline.
    const stopProfile = await startProfile();
    const t0 = performance.now();
    const app = await buildApp(config, { logger });
    const tBuilt = performance.now();
    await app.start();
    const tReady = performance.now();
    await stopProfile();
    const scheduled = app.scheduler.stats().watches;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const mem = process.memoryUsage();
    await app.stop();

    const b0 = performance.now();
    for (let i = 0; i < files.length; i += 200) {
      await Promise.all(files.slice(i, i + 200).map(async (f) => JSON.parse(await readFile(f, 'utf8')) as unknown));
    }
    const baselineMs = performance.now() - b0;

    const readyMs = tReady - t0;
    const gates = [
      gate('ready (all scheduled)', round(readyMs / 1000, 3), '<=', 2, 's', 1),
      gate('watches scheduled', scheduled, '>=', count, 'watches'),
    ];
    return {
      scenario: 'S6',
      title: `start-up with ${count} watch files`,
      seconds: round(readyMs / 1000, 3),
      gates,
      pass: gates.every((g) => g.pass),
      measured: {
        watches: count,
        scheduled,
        buildAppMs: round(tBuilt - t0, 1),
        loadAndScheduleMs: round(tReady - tBuilt, 1),
        readyMs: round(readyMs, 1),
        perWatchUs: round((readyMs * 1000) / count, 1),
        // S5 (idle heap at 10k watches, gate ≤ 150 MB) as a by-product; null without --expose-gc.
        heapUsedAfterGcMB: gc ? round(mem.heapUsed / MB, 1) : null,
        rssMB: round(mem.rss / MB, 1),
      },
      baseline: { description: `readFile + JSON.parse of the same ${count} files, 200 at a time`, ms: round(baselineMs, 1) },
      ratios: { readyVsReadParse: round(readyMs / Math.max(0.1, baselineMs), 2) },
      notes: [],
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
