import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { round } from './result.ts';

/**
 * Garbage collections of this process while the meter runs: count, longest and total pause for the
 * scavenges (minor) and the mark-compacts (major; their incremental marking steps are not pauses and
 * show in the event-loop delay instead).
 */
export function gcMeter() {
  const kinds = { minor: { count: 0, maxMs: 0, totalMs: 0 }, major: { count: 0, maxMs: 0, totalMs: 0 } };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      const k = kind === constants.NODE_PERFORMANCE_GC_MAJOR ? kinds.major : kind === constants.NODE_PERFORMANCE_GC_MINOR ? kinds.minor : null;
      if (!k) continue;
      k.count++;
      k.maxMs = Math.max(k.maxMs, e.duration);
      k.totalMs += e.duration;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      obs.disconnect();
      const r = (k: typeof kinds.minor) => ({ count: k.count, maxMs: round(k.maxMs), totalMs: round(k.totalMs) });
      return { minor: r(kinds.minor), major: r(kinds.major) };
    },
  };
}
