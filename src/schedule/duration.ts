/**
 * Signals durations: `0`, `10s`, `5m`, `2h`, `3d`, `1w`, compound `3d 2h 1m` or `5w4d3h2m1s`,
 * plus `ms`. And the exponential throttle `<duration>**<base>|<max>`.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/y;

/** Parses a duration to milliseconds; throws an Error with a user-facing message when malformed. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration');
  let pos = 0;
  let total = 0;
  const seen = new Set<string>();
  while (pos < s.length) {
    while (s[pos] === ' ') pos++;
    if (pos >= s.length) break;
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) {
      throw new Error(`invalid duration '${text}': expected e.g. 10s, 5m, 2h, 3d, 1w or 3d 2h 1m`);
    }
    const unit = m[2]!;
    if (seen.has(unit)) throw new Error(`invalid duration '${text}': unit '${unit}' appears twice`);
    seen.add(unit);
    total += Number(m[1]) * UNIT_MS[unit]!;
    pos = PART.lastIndex;
  }
  return Math.round(total);
}

export interface ThrottleSpec {
  /** The first (or constant) period, ms. */
  baseMs: number;
  /** Growth factor per execution within an episode; 1 for a constant throttle. */
  factor: number;
  /** Upper bound of the period, ms (default 24 h for exponential throttles). */
  maxMs: number;
}

const DAY_MS = 86_400_000;

/** `1m` or `1m**2|1h` (max defaults to 24 h). */
export function parseThrottle(text: string): ThrottleSpec {
  const exp = /^\s*(.+?)\s*\*\*\s*(\d+(?:\.\d+)?)\s*(?:\|\s*(.+?)\s*)?$/.exec(text);
  if (!exp) {
    const ms = parseDuration(text);
    return { baseMs: ms, factor: 1, maxMs: ms };
  }
  const baseMs = parseDuration(exp[1]!);
  const factor = Number(exp[2]);
  if (!(factor >= 1)) throw new Error(`invalid throttle '${text}': the base must be at least 1`);
  const maxMs = exp[3] !== undefined ? parseDuration(exp[3]) : DAY_MS;
  if (maxMs < baseMs) throw new Error(`invalid throttle '${text}': the maximum is below the first period`);
  return { baseMs, factor, maxMs };
}

/**
 * The throttle period after the `index`-th execution of an episode (0-based): 1m**2|1h gives
 * 1, 2, 4, … 32, 60, 60 minutes.
 */
export function throttlePeriod(spec: ThrottleSpec, index: number): number {
  if (spec.factor === 1) return spec.baseMs;
  return Math.min(spec.maxMs, spec.baseMs * Math.pow(spec.factor, Math.max(0, index)));
}
