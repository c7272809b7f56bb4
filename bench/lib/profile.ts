import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

/**
 * Profiles of a measured window only (not the set-up):
 * - BENCH_PROFILE=FILE: CPU profile; open it in Chrome DevTools or summarise it with
 *   `node bench/lib/profile-top.ts FILE`.
 * - BENCH_HEAP_PROFILE=FILE: sampling heap profile of every allocation of the window, garbage included
 *   (allocation rate per site); with BENCH_HEAP_KEEP=promoted only of what outlived the young generation
 *   (the objects that make scavenges slow and feed the old generation), with BENCH_HEAP_KEEP=live only of
 *   what is still in the heap at the end (leaks). Summarise with `node bench/lib/heap-top.ts FILE`.
 */
export async function startProfile(): Promise<() => Promise<void>> {
  const cpuOut = process.env.BENCH_PROFILE;
  const heapOut = process.env.BENCH_HEAP_PROFILE;
  if (!cpuOut && !heapOut) return async () => {};
  const session = new Session();
  session.connect();
  if (cpuOut) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  if (heapOut) {
    const keep = process.env.BENCH_HEAP_KEEP ?? 'all';
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: keep !== 'live',
      includeObjectsCollectedByMinorGC: keep === 'all',
    });
  }
  return async () => {
    if (cpuOut) await writeFile(cpuOut, JSON.stringify((await session.post('Profiler.stop')).profile));
    // 'live': collect first, so what remains is what the window's runs still hold, not garbage.
    if (heapOut && process.env.BENCH_HEAP_KEEP === 'live') (globalThis as { gc?: () => void }).gc?.();
    if (heapOut) await writeFile(heapOut, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
    session.disconnect();
  };
}
