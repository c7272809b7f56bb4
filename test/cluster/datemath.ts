/**
 * Elasticsearch date math, UTC only: `now`, `now-1h`, `now/d`, `2024-01-01||+1M/d`. Rounding follows the
 * range query rules: `gte`/`lt` round down to the start of the unit, `gt`/`lte` round up to its last
 * millisecond, so `lte: now/d` includes the whole of today.
 */
import { parsingError } from './errors.ts';

const UNITS = new Set(['y', 'M', 'w', 'd', 'h', 'H', 'm', 's']);

/** Parses a date value: epoch millis (number or digit string), ISO date/time, or date math. */
export function parseDate(value: unknown, now: number, roundUp = false): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') throw parsingError(`failed to parse date field [${String(value)}]`);
  const text = value.trim();
  let anchor: number;
  let expr: string;
  if (text.startsWith('now')) {
    anchor = now;
    expr = text.slice(3);
  } else {
    const sep = text.indexOf('||');
    const base = sep >= 0 ? text.slice(0, sep) : text;
    expr = sep >= 0 ? text.slice(sep + 2) : '';
    const parsed = parseAbsolute(base);
    if (parsed === undefined) throw parsingError(`failed to parse date field [${text}] with format [strict_date_optional_time||epoch_millis]`);
    anchor = parsed;
  }
  return applyMath(anchor, expr, roundUp, text);
}

/** Absolute dates: epoch millis or ISO 8601 (a date without a zone is UTC, as in Elasticsearch). */
export function parseAbsolute(text: string): number | undefined {
  if (/^-?\d+$/.test(text) && text.length > 8) return Number(text);
  if (!/^\d{4}(-\d{2}(-\d{2})?)?([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) return undefined;
  let iso = text.replace(' ', 'T');
  if (/^\d{4}$/.test(iso)) iso += '-01-01';
  else if (/^\d{4}-\d{2}$/.test(iso)) iso += '-01';
  if (iso.includes('T') && !/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function applyMath(anchor: number, expr: string, roundUp: boolean, original: string): number {
  let t = anchor;
  let i = 0;
  while (i < expr.length) {
    const op = expr[i];
    if (op === '/') {
      const unit = expr[i + 1];
      if (!unit || !UNITS.has(unit)) throw parsingError(`failed to parse date field [${original}]: unit [${unit}] not supported for date math`);
      t = roundUp ? addUnit(roundDown(t, unit), unit, 1) - 1 : roundDown(t, unit);
      i += 2;
    } else if (op === '+' || op === '-') {
      const m = /^(\d*)([yMwdhHms])/.exec(expr.slice(i + 1));
      if (!m) throw parsingError(`failed to parse date field [${original}]: operator not followed by a valid unit`);
      const n = m[1] === '' ? 1 : Number(m[1]);
      t = addUnit(t, m[2]!, op === '+' ? n : -n);
      i += 1 + m[0].length;
    } else {
      throw parsingError(`failed to parse date field [${original}]: operator not supported for date math [${expr.slice(i)}]`);
    }
  }
  return t;
}

export function roundDown(t: number, unit: string): number {
  const d = new Date(t);
  switch (unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'w': {
      // ISO weeks start on Monday.
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
    }
    case 'd':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'h':
    case 'H':
      return t - (((t % 3_600_000) + 3_600_000) % 3_600_000);
    case 'm':
      return t - (((t % 60_000) + 60_000) % 60_000);
    case 's':
      return t - (((t % 1000) + 1000) % 1000);
    default:
      throw parsingError(`unit [${unit}] not supported for date math`);
  }
}

export function addUnit(t: number, unit: string, n: number): number {
  const d = new Date(t);
  switch (unit) {
    case 'y':
      return addMonths(d, 12 * n);
    case 'M':
      return addMonths(d, n);
    case 'w':
      return t + n * 7 * 86_400_000;
    case 'd':
      return t + n * 86_400_000;
    case 'h':
    case 'H':
      return t + n * 3_600_000;
    case 'm':
      return t + n * 60_000;
    case 's':
      return t + n * 1000;
    default:
      throw parsingError(`unit [${unit}] not supported for date math`);
  }
}

/** Formats epoch millis the way `key_as_string` and `value_as_string` do for the default date format. */
export function formatDate(t: number): string {
  return new Date(t).toISOString();
}

/** Java-time month arithmetic: the day is clamped to the target month (Jan 31 + 1M = Feb 29), not rolled over. */
function addMonths(d: Date, n: number): number {
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
