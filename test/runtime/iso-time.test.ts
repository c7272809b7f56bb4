import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/runtime/iso-time.ts';

describe('isoTime', () => {
  it('matches Date#toISOString across the range it caches and beyond', () => {
    const samples = [
      0, 1, 9, 10, 99, 100, 999, 1000, -1, -999, -1000, -1001, 1.5, 999.999, -1.5, -999.5, -1000.25, -0, Date.UTC(2026, 10, 22, 23, 59, 59, 999),
      Date.UTC(2026, 10, 23), -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15,
    ];
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) samples.push(Math.floor((rand() * 2 - 1) * 2e14), Date.UTC(2026, 0, 1) + Math.floor(rand() * 10_000), (rand() * 2 - 1) * 1e6);
    for (const ms of samples) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('alternating seconds share no stale prefix', () => {
    const a = Date.UTC(2026, 10, 22, 10, 0, 0, 5);
    const times = [a, a + 1000, a + 2000, a + 3000, a + 4000, a, a + 10_000, a + 4000, a + 1];
    for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws like toISOString for an invalid time', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
