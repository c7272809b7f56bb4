/**
 * Cutting text to a service's size limit: a notification cut short, with a marker saying so, is better
 * than one the service refuses. Limits are in UTF-8 bytes (what the services count) and a cut never
 * splits a character.
 */

export const CUT_MARKER = '…';

/** `text` within `maxBytes` UTF-8 bytes, ending with `…` when cut. */
export function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(CUT_MARKER);
  if (room <= 0) return '';
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > room) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end) + CUT_MARKER;
}

/** The first line of `text`, at most `max` characters: for summaries and titles. */
export function firstLine(text: string, max = 120): string {
  const line = text.split(/\r?\n/, 1)[0]!.trim();
  const chars = Array.from(line);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}${CUT_MARKER}` : line;
}
