/**
 * PagerDuty's published limits (Events API v2): `payload.summary` ≤ 1024 characters, `dedup_key`
 * ≤ 255 characters, the whole event ≤ 512 KB. We cut before sending rather than take a 400: a
 * truncated page is better than none.
 */
import { createHash } from 'node:crypto';

export const MAX_SUMMARY = 1024;
export const MAX_DEDUP_KEY = 255;
/** 512 KB as PagerDuty counts it; minus room for the routing key we add at delivery. */
export const MAX_EVENT_BYTES = 512 * 1024 - 256;
const MARKER = '…';

/** Cuts to `max` code points (never splitting a surrogate pair), ending with a marker when cut. */
export function truncateRunes(text: string, max: number): string {
  const cps = Array.from(text);
  if (cps.length <= max) return text;
  return cps.slice(0, max - 1).join('') + MARKER;
}

/** Keys longer than PagerDuty accepts are replaced by a stable hash, so resolve still matches trigger. */
export function fitDedupKey(key: string): string {
  if (key.length <= MAX_DEDUP_KEY) return key;
  return `vigil-${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * Fits the event under the size limit by shrinking `custom_details` to a preview; returns whether it
 * had to. Only custom_details can be large in practice (summary is already capped).
 */
export function fitEventSize(event: { payload?: { custom_details?: unknown } }): boolean {
  const size = Buffer.byteLength(JSON.stringify(event));
  if (size <= MAX_EVENT_BYTES || !event.payload || event.payload.custom_details === undefined) return false;
  const details = JSON.stringify(event.payload.custom_details);
  const overflow = size - MAX_EVENT_BYTES;
  // Bytes to keep, with margin for the escaping the preview string adds when serialised again.
  let keep = Math.max(0, Math.floor((Buffer.byteLength(details) - overflow - 512) / 2));
  let preview = details.slice(0, keep);
  event.payload.custom_details = {
    _truncated: `custom_details exceeded PagerDuty's 512 KB event limit (${size} bytes); the start follows`,
    _preview: preview,
  };
  while (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES && keep > 0) {
    keep = Math.floor(keep / 2);
    preview = details.slice(0, keep);
    (event.payload.custom_details as { _preview: string })._preview = preview;
  }
  return true;
}
