/**
 * Milliseconds of the main thread's CPU time spent in `fn` (thrown errors are swallowed: the callers
 * check them separately). "Stops within N ms" assertions use this rather than the wall clock, which on
 * a shared machine also counts the time the process waited for a CPU.
 */
export function cpuMs(fn: () => unknown): number {
  const a = process.threadCpuUsage();
  try {
    fn();
  } catch {
    // Expected by the callers.
  }
  const b = process.threadCpuUsage(a);
  return (b.user + b.system) / 1000;
}
