/**
 * CPU time of the main thread, in milliseconds. The budgets' time limits are about work done, not about
 * the wall clock: on a shared machine the process can be off the CPU for tens of milliseconds, and a
 * script must not fail because of that. Reading it costs about a microsecond (a system call), so the
 * meters read the cheap wall clock often and this one only when the wall clock says a limit may be near.
 */
export function cpuMillis(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}
