import { describe, expect, it } from 'vitest';
import { parseDate, parseAbsolute } from './datemath.ts';
import { ClusterHttpError } from './errors.ts';

const NOW = Date.UTC(2024, 4, 15, 13, 45, 30, 123); // Wed 2024-05-15T13:45:30.123Z

describe('date math', () => {
  it.each([
    ['now', NOW],
    ['now-1h', NOW - 3_600_000],
    ['now+15m', NOW + 900_000],
    ['now-1d', NOW - 86_400_000],
    ['now/d', Date.UTC(2024, 4, 15)],
    ['now-1d/d', Date.UTC(2024, 4, 14)],
    ['now/M', Date.UTC(2024, 4, 1)],
    ['now/y', Date.UTC(2024, 0, 1)],
    ['now/w', Date.UTC(2024, 4, 13)],
    ['now/h', Date.UTC(2024, 4, 15, 13)],
    ['now-1M', Date.UTC(2024, 3, 15, 13, 45, 30, 123)],
    ['2024-01-31||+1M', Date.UTC(2024, 1, 29)],
    ['2024-01-01T10:20:30Z||/h', Date.UTC(2024, 0, 1, 10)],
  ])('%s', (expr, expected) => {
    expect(parseDate(expr, NOW)).toBe(expected);
  });

  it('rounds up to the last millisecond of the unit for gt/lte', () => {
    expect(parseDate('now/d', NOW, true)).toBe(Date.UTC(2024, 4, 16) - 1);
  });

  it('parses absolute dates and epoch millis; rejects garbage as parsing_exception', () => {
    expect(parseAbsolute('2024-05-15')).toBe(Date.UTC(2024, 4, 15));
    expect(parseAbsolute('2024-05-15T01:02:03+02:00')).toBe(Date.UTC(2024, 4, 14, 23, 2, 3));
    expect(parseDate(1715780730123, NOW)).toBe(1715780730123);
    expect(parseDate('1715780730123', NOW)).toBe(1715780730123);
    expect(() => parseDate('yesterday', NOW)).toThrow(ClusterHttpError);
    expect(() => parseDate('now-1x', NOW)).toThrow(ClusterHttpError);
  });
});
