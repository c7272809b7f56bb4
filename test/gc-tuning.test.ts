import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { gcFlagsFor, tuneGcForCpus } from '../src/gc-tuning.ts';

describe('GC tuning for the CPUs the daemon gets', () => {
  it('turns parallel scavenging off with one CPU only', () => {
    expect(gcFlagsFor(1)).toEqual(['--no-parallel-scavenge']);
    expect(gcFlagsFor(2)).toEqual([]);
    const set: string[] = [];
    expect(tuneGcForCpus(1, (f) => set.push(f))).toEqual(['--no-parallel-scavenge']);
    expect(tuneGcForCpus(8, (f) => set.push(f))).toEqual([]);
    expect(set).toEqual(['--no-parallel-scavenge']);
  });

  it('takes effect when set after start-up: no scavenge uses helper threads', () => {
    // Survivors on purpose (every 10th object kept for a while), so scavenges have work to share.
    const script = `
      const { tuneGcForCpus } = await import(${JSON.stringify(new URL('../src/gc-tuning.ts', import.meta.url).pathname)});
      tuneGcForCpus(1);
      const keep = [];
      for (let i = 0; i < 2e6; i++) { const o = { a: i, b: 'x' + i }; if (i % 10 === 0) keep.push(o); if (keep.length > 50000) keep.length = 0; }`;
    const out = spawnSync(process.execPath, ['--trace-gc-nvp', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    const scavenges = out.stdout.split('\n').filter((l) => l.includes('gc=s '));
    expect(scavenges.length).toBeGreaterThan(0);
    for (const l of scavenges) expect(l).toMatch(/ background\.scavenge\.parallel=0\.00 /);
  });
});
