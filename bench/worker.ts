/**
 * Runs ONE scenario in this (fresh) process and prints its result as the last stdout line, so each
 * scenario starts with a clean heap, its own RSS and CPU figures, and no JIT state from another.
 * run.ts starts it pinned to the daemon core. Run by hand: `node bench/worker.ts S2`.
 */
import type { ScenarioResult } from './lib/result.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const watches = Number(process.env.BENCH_WATCHES ?? 10_000);
const name = (process.argv[2] ?? '').toUpperCase();

async function run(): Promise<ScenarioResult> {
  switch (name) {
    case 'S1':
      return (await import('./s1-scheduler.ts')).runS1({ seconds, watches });
    case 'S2':
      return (await import('./s2-steady.ts')).runSteadyBench({ seconds, watches });
    case 'S2C':
      return (await import('./s2-steady.ts')).runSteadyBench({ seconds, watches, backend: 'cluster' });
    case 'S6':
      return (await import('./s6-startup.ts')).runStartupBench({ watches });
    case 'S10':
      return (await import('./s10-conditions.ts')).runConditionsBench({ seconds: Math.min(seconds, 10) });
    case 'S12':
      return (await import('./s12-overload.ts')).runOverloadBench({ seconds, watches: Number(process.env.BENCH_OVERLOAD_WATCHES ?? 32_000) });
    case 'HA':
      return (await import('./s13-ha.ts')).runHaBench({ seconds, watches: Number(process.env.BENCH_HA_WATCHES ?? watches) });
    default:
      throw new Error(`unknown scenario '${process.argv[2] ?? ''}'; expected S1, S2, S2C, S6, S10, S12 or HA`);
  }
}

const result = await run();
process.stdout.write('\n' + JSON.stringify(result) + '\n');
// Peers and pools are closed; exit anyway so a stray handle cannot hold the run.
process.exit(0);
