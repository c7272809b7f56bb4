import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU per thread of this process over a window (Linux /proc; null elsewhere), and how long the main
 * thread waited for a CPU while runnable: a high wait means something else shares the daemon's core
 * (it exposed peers left on the daemon's core by a pinning bug).
 */
export function threadMeter(): { stop(): ThreadReport | null } {
  const t0 = performance.now();
  const threads0 = threadTicks();
  const sched0 = mainSchedstat();
  return {
    stop() {
      const wallMs = performance.now() - t0;
      const threads1 = threadTicks();
      const sched1 = mainSchedstat();
      if (!threads0 || !threads1 || !sched0 || !sched1) return null;
      const cpuPercentByThread: Record<string, number> = {};
      for (const [name, ticks] of threads1) {
        const pct = (((ticks - (threads0.get(name) ?? 0)) * 10) / wallMs) * 100;
        if (pct >= 0.1) cpuPercentByThread[name] = Math.round(pct * 10) / 10;
      }
      return {
        cpuPercentByThread,
        mainThreadOnCpuPercent: Math.round(((sched1[0] - sched0[0]) / 1e6 / wallMs) * 1000) / 10,
        mainThreadRunqueueWaitPercent: Math.round(((sched1[1] - sched0[1]) / 1e6 / wallMs) * 1000) / 10,
      };
    },
  };
}

export interface ThreadReport {
  /** % of one core per thread name (libuv-worker, V8Worker, … summed over threads of that name). */
  cpuPercentByThread: Record<string, number>;
  mainThreadOnCpuPercent: number;
  mainThreadRunqueueWaitPercent: number;
}

function threadTicks(): Map<string, number> | null {
  try {
    const out = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    }
    return out;
  } catch {
    return null;
  }
}

/** [ns on CPU, ns waiting on a run queue] of the main thread. */
function mainSchedstat(): [number, number] | null {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run!, wait!];
  } catch {
    return null;
  }
}
