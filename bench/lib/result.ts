/**
 * The shape every scenario reports, so run.ts can print one table and CI can compare runs. A gate is
 * a measured value against a limit (bench/README.md lists them); a baseline is measured in the same run on the same
 * machine, so figures can be compared as ratios across machines (absolute µs are not portable).
 */

/** One gated figure: `value op limit`; `stretch` is the stretch target, reported only. */
export interface Gate {
  metric: string;
  value: number;
  op: '<=' | '>=';
  limit: number;
  unit: string;
  stretch?: number;
  pass: boolean;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  /** Seconds of measurement (after warm-up). */
  seconds: number;
  gates: Gate[];
  pass: boolean;
  measured: Record<string, unknown>;
  /** What the baseline is, and its figures. */
  baseline: { description: string } & Record<string, unknown>;
  /** Scenario figure ÷ baseline figure, named `<what>`. */
  ratios: Record<string, number>;
  notes: string[];
}

export function gate(metric: string, value: number, op: '<=' | '>=', limit: number, unit: string, stretch?: number): Gate {
  const pass = Number.isFinite(value) && (op === '<=' ? value <= limit : value >= limit);
  return { metric, value, op, limit, unit, ...(stretch === undefined ? {} : { stretch }), pass };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Wall-clock milliseconds with sub-millisecond resolution. */
export const nowPrecise = (): number => performance.timeOrigin + performance.now();

/** CPU time of this process over a window, as a share of one core. */
export function cpuMeter(): { stop(): { percentOfCore: number; cpuMs: number; elapsedMs: number } } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const cpu = process.cpuUsage(cpu0);
      const elapsedMs = performance.now() - t0;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return { percentOfCore: round((cpuMs / elapsedMs) * 100, 1), cpuMs, elapsedMs };
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * The HA scenario's limit (it starts two fleets and restarts a daemon per kill): run.ts kills its worker
 * then, and the scenario stops killing in time to stop its daemons and report before it.
 */
export const haLimitMs = (seconds: number): number => (6 * seconds + 900) * 1000;
