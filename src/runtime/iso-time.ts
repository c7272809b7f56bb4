/**
 * `new Date(ms).toISOString()` for the run path. V8 formats ISO strings through a printf-style
 * formatter, an order of magnitude slower than appending to a cached prefix, and a run makes six or
 * seven (five for its context, its end, and one per delivered action). The times of one run fall in a
 * few seconds, so the text up to the second is cached (four seconds, by second
 * modulo 4) and only the milliseconds are appended.
 */
const SLOTS = 4;
const seconds: number[] = new Array<number>(SLOTS).fill(Number.NaN);
const prefixes: string[] = new Array<string>(SLOTS).fill('');
/** Years 0000–9999: beyond them toISOString uses the six-digit extended form. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_800_000;

export function isoTime(ms: number): string {
  if (!(ms >= MIN_MS && ms < MAX_MS)) return new Date(ms).toISOString();
  // A time value drops its fraction towards zero (TimeClip), not downwards.
  const whole = Math.trunc(ms);
  const sec = Math.floor(whole / 1000);
  const slot = ((sec % SLOTS) + SLOTS) % SLOTS;
  if (seconds[slot] !== sec) {
    // "YYYY-MM-DDTHH:MM:SS." — 20 characters for four-digit years.
    prefixes[slot] = new Date(sec * 1000).toISOString().slice(0, 20);
    seconds[slot] = sec;
  }
  const milli = whole - sec * 1000;
  return `${prefixes[slot]}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
