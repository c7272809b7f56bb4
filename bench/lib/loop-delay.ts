import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from './result.ts';

/**
 * Event-loop delay with `monitorEventLoopDelay`. On Node 24 the histogram holds the time between two
 * ticks of its sampling timer, i.e. the resolution plus the delay (an idle loop at resolution 10 reads
 * p50 ≈ 10.2 ms), so the resolution is subtracted to report the delay itself.
 */
export function loopDelayMeter(resolutionMs = 10): { stop(): { p50: number; p99: number; max: number } } {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  const excess = (ns: number) => round(Math.max(0, ns / 1e6 - resolutionMs));
  return {
    stop() {
      h.disable();
      return { p50: excess(h.percentile(50)), p99: excess(h.percentile(99)), max: excess(h.max) };
    },
  };
}
