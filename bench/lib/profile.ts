import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

/**
 * CPU profile of a measured window only (not the set-up), when BENCH_PROFILE names an output file:
 * `BENCH_PROFILE=/tmp/s2.cpuprofile BENCH_SCENARIOS=S2 npm run bench`, then open it in Chrome DevTools
 * or summarise it with `node bench/lib/profile-top.ts FILE`.
 */
export async function startProfile(): Promise<() => Promise<void>> {
  const out = process.env.BENCH_PROFILE;
  if (!out) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(out, JSON.stringify(profile));
    session.disconnect();
  };
}
