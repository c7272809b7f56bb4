import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags for the CPUs this process may run on. With one CPU (a `taskset`, a cpuset or a one-CPU
 * machine), V8's parallel scavenge still hands young-generation collection to its helper threads and
 * waits for them, while they wait for the very CPU the main thread holds: bench S2, pinned to one core,
 * paused ~30 ms per scavenge and spent ~6 % of a core in those threads. Scavenging on the main thread
 * alone halved that thread time and cut the p99 trigger lag by ~8 ms. With two or more CPUs nothing
 * changes. `--no-parallel-scavenge` is read at every scavenge, so setting it after start-up takes effect
 * (unlike `--single-threaded-gc`, whose implications V8 only applies at start-up).
 */
export function gcFlagsFor(cpus: number): string[] {
  return cpus <= 1 ? ['--no-parallel-scavenge'] : [];
}

/** Applies `gcFlagsFor` to this process (affinity-aware CPU count); returns the flags set, for the log. */
export function tuneGcForCpus(cpus = availableParallelism(), set: (flag: string) => void = setFlagsFromString): string[] {
  const flags = gcFlagsFor(cpus);
  for (const f of flags) set(f);
  return flags;
}
