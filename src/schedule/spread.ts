/**
 * Where in its interval a watch's interval trigger fires.
 *
 * Interval triggers fire at `anchor + k·interval`. With the anchor at the load time, every watch loaded
 * together — all of them at start-up, a folder copied in — fires in the same instant, interval after
 * interval: the cluster gets the whole fleet's searches in one burst, and the fires queue for the
 * scheduler's slots, which shows as trigger lag. Spreading moves each watch's anchor back by
 * a fixed fraction of its shortest interval, taken from a hash of its key, as Prometheus spreads scrape
 * offsets and OpenSearch jitters job start times:
 * the load is even over the interval, and the first run comes within one interval of the load (never
 * later than unspread). A reload keeps the anchor (scheduler.upsert), so an edit does not move a watch.
 */

/**
 * The fraction [0, 1) of the interval by which `key`'s anchor moves back: 32-bit FNV-1a of the key,
 * then MurmurHash3's finaliser, without which keys differing in their last characters only (w1, w2…)
 * would land close together.
 */
export function phaseOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * Spread anchors sit on a grid of the monotonic clock, so the watches whose phases fall in the same
 * 50 ms share one due-time slot: one wake-up and one batch of runs instead of one each, which halves
 * what spreading costs in CPU (bench/README.md has the figures) and keeps its lower trigger lag. The rest
 * of the cost is SQLite's: runs in hash order update state rows on scattered pages, where watches loaded
 * together write neighbouring rows.
 */
export const SPREAD_GRID_MS = 50;

/** The anchor of a watch loaded at `loadMono` whose shortest interval is `intervalMs`: at or before the load. */
export function spreadAnchor(key: string, loadMono: number, intervalMs: number): number {
  return SPREAD_GRID_MS * Math.floor((loadMono - phaseOf(key) * intervalMs) / SPREAD_GRID_MS);
}
