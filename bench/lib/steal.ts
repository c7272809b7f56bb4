import { readFileSync } from 'node:fs';

/**
 * Time the hypervisor gave the daemon's core to someone else over a window (the `steal` column of
 * /proc/stat, Linux guests; null elsewhere), as % of that core. A run that is dear all through with
 * steal well above the other runs' is the machine, not Vigil.
 */
export function stealMeter(cpu: number | null): { stop(): number | null } {
  const t0 = performance.now();
  const s0 = stealTicks(cpu);
  return {
    stop() {
      const s1 = stealTicks(cpu);
      if (s0 === null || s1 === null) return null;
      // USER_HZ is 100 on Linux: a tick is 10 ms. Without pinning the figure covers every core.
      const cores = cpu === null ? cpuCount() : 1;
      return Math.round(((((s1 - s0) * 10) / (performance.now() - t0)) * 1000) / cores) / 10;
    },
  };
}

function statLines(): string[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n');
  } catch {
    return null;
  }
}

function stealTicks(cpu: number | null): number | null {
  const name = cpu === null ? 'cpu' : `cpu${cpu}`;
  const line = statLines()?.find((l) => l.startsWith(`${name} `));
  // cpuN user nice system idle iowait irq softirq steal …
  const steal = line?.trim().split(/\s+/)[8];
  return steal === undefined ? null : Number(steal);
}

function cpuCount(): number {
  return statLines()?.filter((l) => /^cpu\d+ /.test(l)).length || 1;
}
