import { describe, expect, it } from 'vitest';
import { parseDuration, parseThrottle, throttlePeriod } from '../../src/schedule/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['10s', 10_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['3d', 259_200_000],
    ['1w', 604_800_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['3d 2h 1m', 266_460_000],
    ['5w4d3h2m1s', 3_380_521_000],
    [' 10m ', 600_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '10', '-1s', '10x', '1m 1m', '1h2', 'm'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow();
  });

  it('names the bad value and the expected form', () => {
    expect(() => parseDuration('10 minutes')).toThrow("invalid duration '10 minutes': expected e.g. 10s, 5m, 2h, 3d, 1w or 3d 2h 1m");
    expect(() => parseDuration('1m 2m')).toThrow(/unit 'm' appears twice/);
  });
});

describe('parseThrottle / throttlePeriod', () => {
  it('a plain duration is a constant throttle', () => {
    const t = parseThrottle('10m');
    expect(t).toEqual({ baseMs: 600_000, factor: 1, maxMs: 600_000 });
    expect(throttlePeriod(t, 0)).toBe(600_000);
    expect(throttlePeriod(t, 9)).toBe(600_000);
  });

  it('1m**2|1h gives 1, 2, 4, … 32, 60, 60 minutes', () => {
    const t = parseThrottle('1m**2|1h');
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => throttlePeriod(t, i) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('the maximum defaults to 24 h', () => {
    const t = parseThrottle('1h**3');
    expect(t.maxMs).toBe(86_400_000);
    expect(throttlePeriod(t, 10)).toBe(86_400_000);
  });

  it('refuses a base below 1 and a maximum below the first period', () => {
    expect(() => parseThrottle('1m**0.5')).toThrow(/at least 1/);
    expect(() => parseThrottle('1h**2|1m')).toThrow(/maximum is below/);
    expect(() => parseThrottle('**2')).toThrow();
  });
});
