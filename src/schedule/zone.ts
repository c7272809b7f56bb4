/**
 * Trigger time zones: an IANA zone (`Europe/Berlin`) or a fixed offset in the Java ZoneId
 * style Signals accepts (`UTC+01:00`, also `GMT-5`, `+05:30`). The default is UTC.
 */

/** How croner is told the zone: an IANA name, or a fixed offset in minutes (the fast path, no Intl). */
export type ZoneSpec = { readonly timezone: string } | { readonly utcOffset: number };

/** croner refuses offsets beyond ±14:30. */
const MAX_OFFSET_MIN = 870;
const OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const UTC_NAMES = new Set(['utc', 'z', 'gmt', 'etc/utc', 'etc/gmt', 'utc0', 'gmt0']);

/** Parses a zone; throws an Error with a user-facing message when it is unknown or malformed. */
export function parseZone(zone: string | undefined): ZoneSpec {
  if (zone === undefined) return { utcOffset: 0 };
  const z = zone.trim();
  // UTC through the offset path: same instants, no Intl formatting per next-time computation.
  if (UTC_NAMES.has(z.toLowerCase())) return { utcOffset: 0 };
  const m = OFFSET.exec(z);
  if (m) {
    const hours = Number(m[2]);
    const minutes = m[3] === undefined ? 0 : Number(m[3]);
    if (minutes > 59) throw new Error(`invalid time zone offset '${zone}': minutes must be 00-59`);
    const total = (hours * 60 + minutes) * (m[1] === '-' ? -1 : 1);
    if (Math.abs(total) > MAX_OFFSET_MIN) {
      throw new Error(`invalid time zone offset '${zone}': must be within UTC-14:30 and UTC+14:30`);
    }
    return { utcOffset: total };
  }
  if (!isIanaZone(z)) {
    throw new Error(`unknown time zone '${zone}': use an IANA zone such as 'Europe/Berlin' or an offset such as 'UTC+01:00'`);
  }
  return { timezone: z };
}

const known = new Map<string, boolean>();

function isIanaZone(zone: string): boolean {
  let ok = known.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    // Bounded: zone names come from watch files, and a hostile PUT stream must not grow this forever.
    if (known.size < 1000) known.set(zone, ok);
  }
  return ok;
}

/** A stable key for caches: the same zone written two ways shares one entry. */
export function zoneKey(spec: ZoneSpec): string {
  return 'timezone' in spec ? spec.timezone : `${spec.utcOffset}`;
}
