/**
 * Elasticsearch date math in index names (`<alerts-{now/d}>`, `<logs-{now/M-1M{yyyy.MM}}>`), resolved
 * here rather than by the cluster, so that the index searched or written is the one the watch log
 * reports and the one checked against the roles the watch runs as.
 */
const UNIT: Record<string, (d: Date, n: number) => void> = {
  y: (d, n) => d.setUTCFullYear(d.getUTCFullYear() + n),
  M: (d, n) => d.setUTCMonth(d.getUTCMonth() + n),
  w: (d, n) => d.setUTCDate(d.getUTCDate() + 7 * n),
  d: (d, n) => d.setUTCDate(d.getUTCDate() + n),
  h: (d, n) => d.setUTCHours(d.getUTCHours() + n),
  H: (d, n) => d.setUTCHours(d.getUTCHours() + n),
  m: (d, n) => d.setUTCMinutes(d.getUTCMinutes() + n),
  s: (d, n) => d.setUTCSeconds(d.getUTCSeconds() + n),
};

function roundDown(d: Date, unit: string): void {
  const order = ['y', 'M', 'd', 'h', 'm', 's'];
  const u = unit === 'H' ? 'h' : unit;
  if (u === 'w') {
    const day = (d.getUTCDay() + 6) % 7; // ISO weeks start on Monday
    d.setUTCDate(d.getUTCDate() - day);
    d.setUTCHours(0, 0, 0, 0);
    return;
  }
  const idx = order.indexOf(u);
  if (idx < 0) throw new Error(`unknown date math unit '${unit}'`);
  if (idx < 1) d.setUTCMonth(0);
  if (idx < 2) d.setUTCDate(1);
  if (idx < 3) d.setUTCHours(0);
  if (idx < 4) d.setUTCMinutes(0);
  if (idx < 5) d.setUTCSeconds(0);
  d.setUTCMilliseconds(0);
}

function format(d: Date, pattern: string): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return pattern.replace(/yyyy|YYYY|MM|dd|HH|mm|ss/g, (t) => {
    switch (t) {
      case 'yyyy':
      case 'YYYY':
        return String(d.getUTCFullYear());
      case 'MM':
        return pad(d.getUTCMonth() + 1);
      case 'dd':
        return pad(d.getUTCDate());
      case 'HH':
        return pad(d.getUTCHours());
      case 'mm':
        return pad(d.getUTCMinutes());
      default:
        return pad(d.getUTCSeconds());
    }
  });
}

/** `name` with its date math resolved at `now` (UTC); a name without `<…>` is returned as it is. */
export function resolveIndexName(name: string, now: number): string {
  if (!(name.startsWith('<') && name.endsWith('>'))) return name;
  return name.slice(1, -1).replace(/\{now([^{}]*)(?:\{([^{}]*)\})?\}/g, (_m, math: string, fmt: string | undefined) => {
    const d = new Date(now);
    for (const [, sign, num, unit, round] of math.matchAll(/([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/g)) {
      if (round) roundDown(d, round);
      else UNIT[unit!]!(d, (sign === '-' ? -1 : 1) * Number(num));
    }
    return format(d, fmt ?? 'yyyy.MM.dd');
  });
}
